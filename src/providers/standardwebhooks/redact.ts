// A generic sender may put anything in `data`, and payload data must never carry secrets: keys
// that look like credentials are dropped at any depth before anything reaches the read model.
const SECRET_KEY =
  /secret|token|password|passwd|api[-_]?key|authori[sz]ation|signature|credential/i;
const MAX_DEPTH = 8;

function withoutSecrets(value: unknown, depth: number): unknown {
  if (depth > MAX_DEPTH) return undefined;
  if (Array.isArray(value)) return value.map((item) => withoutSecrets(item, depth + 1));
  if (typeof value !== 'object' || value === null) return value;
  return redact(value as Record<string, unknown>, depth + 1);
}

export function redact(record: Record<string, unknown>, depth = 0): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(record)) {
    if (!SECRET_KEY.test(key)) kept[key] = withoutSecrets(item, depth);
  }
  return kept;
}
