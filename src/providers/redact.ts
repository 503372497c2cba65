// What a quarantined body may keep. Quarantine stores the delivery for replay, but never a
// credential: meetergo's booking-management `secret`, Zaui's customer `password`, tokens and keys.
// A body without such keys is kept byte for byte; one with them is re-serialised without them.
const SENSITIVE_KEY =
  /^(secret|password|passwd|token|access_?token|api_?key|apikey|authorization|signature|management_?token|client_?secret)$/i;
const MAX_DEPTH = 64;

function strip(value: unknown, depth: number): { value: unknown; changed: boolean } {
  if (depth > MAX_DEPTH || value === null || typeof value !== 'object')
    return { value, changed: false };
  if (Array.isArray(value)) {
    let changed = false;
    const items = value.map((item: unknown) => {
      const r = strip(item, depth + 1);
      changed ||= r.changed;
      return r.value;
    });
    return { value: items, changed };
  }
  let changed = false;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (SENSITIVE_KEY.test(key)) {
      changed = true;
      continue;
    }
    const r = strip(item, depth + 1);
    changed ||= r.changed;
    out[key] = r.value;
  }
  return { value: out, changed };
}

// For bodies we cannot parse: blank `"key": "value"` pairs (also a value cut off by the end of
// the body) and `<key>value</key>` elements.
const JSON_PAIR =
  /("(?:secret|password|passwd|token|access_?token|api_?key|apikey|authorization|signature|management_?token|client_?secret)"\s*:\s*)"(?:[^"\\]|\\.)*(?:"|\\?$)/gi;
const XML_ELEMENT = /<(secret|password|passwd|token|apiKey|api_key)>[^<]*(<\/\1>|$)/gi;

export function redactSensitive(body: Buffer): Buffer {
  const text = body.toString('utf8');
  try {
    const { value, changed } = strip(JSON.parse(text), 0);
    return changed ? Buffer.from(JSON.stringify(value)) : body;
  } catch {
    const redacted = text
      .replace(JSON_PAIR, '$1"[redacted]"')
      .replace(XML_ELEMENT, '<$1>[redacted]</$1>');
    return redacted === text ? body : Buffer.from(redacted);
  }
}
