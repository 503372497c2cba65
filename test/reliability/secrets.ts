// Scenario 7: after the whole suite, no webhook secret, URL token, API key or meetergo `secret`
// (the booking-management token its payloads carry) appears in what Hookline wrote: the
// receiver's and worker's logs, every workflow history, every read-model table.
import { readFileSync } from 'node:fs';
import { meetergoManagementSecret } from '../../src/simulator/platforms';
import type { Harness } from './harness';

interface Needle {
  label: string;
  value: string;
}

export interface SecretsScan {
  needles: number;
  logBytes: number;
  workflows: number;
  historyBytes: number;
  tables: number;
  rows: number;
  hits: string[];
}

/** Each value as written and base64-encoded (what a payload or a header dump would hold). */
function needlesOf(h: Harness): Needle[] {
  const plain: Needle[] = [];
  for (const [platform, s] of Object.entries(h.secrets)) {
    plain.push({ label: `${platform} webhook secret`, value: s.secret });
    plain.push({ label: `${platform} API key`, value: s.apiKey });
    if (s.secret.startsWith('whsec_')) {
      // Standard Webhooks keys are the base64 after the prefix; the raw key bytes count too.
      const key = s.secret.slice('whsec_'.length);
      plain.push({ label: `${platform} signing key`, value: key });
      const raw = Buffer.from(key, 'base64').toString('latin1');
      if (/^[\x20-\x7e]{16,}$/.test(raw))
        plain.push({ label: `${platform} key bytes`, value: raw });
    }
  }
  for (const b of h.truth.bookings.values()) {
    if (b.platform === 'meetergo')
      plain.push({ label: `meetergo secret of ${b.id}`, value: meetergoManagementSecret(b) });
  }
  return plain.flatMap((n) => [
    n,
    { label: `${n.label} (base64)`, value: Buffer.from(n.value).toString('base64') },
  ]);
}

function search(text: string, where: string, needles: readonly Needle[], hits: string[]): void {
  for (const n of needles) if (text.includes(n.value)) hits.push(`${n.label} in ${where}`);
}

const BASE64 = /^[A-Za-z0-9+/]{16,}={0,2}$/;

/**
 * Every string in a history, payload bytes decoded (Temporal payloads are JSON bytes) and
 * base64 strings inside them decoded once more (a quarantined body is kept as base64).
 */
function historyStrings(value: unknown, out: string[], depth = 0): void {
  if (depth > 64 || value === null || value === undefined) return;
  if (typeof value === 'string') {
    out.push(value);
    if (BASE64.test(value)) out.push(Buffer.from(value, 'base64').toString('utf8'));
    return;
  }
  if (ArrayBuffer.isView(value)) {
    const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    out.push(bytes.toString('base64'));
    historyStrings(bytes.toString('utf8'), out, depth + 1);
    try {
      historyStrings(JSON.parse(bytes.toString('utf8')) as unknown, out, depth + 1);
    } catch {
      // not JSON: the bytes as text are already searched
    }
    return;
  }
  if (typeof value === 'object') {
    for (const item of Object.values(value)) historyStrings(item, out, depth + 1);
  }
}

async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next];
      next += 1;
      if (item !== undefined) await fn(item);
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

export async function scanForSecrets(h: Harness): Promise<SecretsScan> {
  const needles = needlesOf(h);
  const hits: string[] = [];
  const scan: SecretsScan = {
    needles: needles.length,
    logBytes: 0,
    workflows: 0,
    historyBytes: 0,
    tables: 0,
    rows: 0,
    hits,
  };
  for (const [part, file] of Object.entries(h.logFiles)) {
    const text = readFileSync(file, 'utf8');
    scan.logBytes += text.length;
    search(text, `the ${part} log`, needles, hits);
  }

  const executions: { workflowId: string; runId: string }[] = [];
  for await (const w of h.client.workflow.list()) executions.push(w);
  scan.workflows = executions.length;
  await mapLimit(executions, 8, async ({ workflowId, runId }) => {
    const history = await h.client.workflow.getHandle(workflowId, runId).fetchHistory();
    const strings: string[] = [];
    historyStrings(history, strings);
    const text = strings.join('\n');
    scan.historyBytes += text.length;
    search(text, `the history of ${workflowId} (${runId})`, needles, hits);
  });

  const { rows: tables } = await h.db.query<{ table_name: string }>(
    'SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()',
  );
  scan.tables = tables.length;
  for (const { table_name: table } of tables) {
    const { rows } = await h.db.query(`SELECT * FROM "${table}"`);
    scan.rows += rows.length;
    search(JSON.stringify(rows), `table ${table}`, needles, hits);
  }
  return scan;
}
