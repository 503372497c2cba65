// meetergo's booking-management secret in quarantine, end to end: an authentic delivery that is
// not understood (readable or truncated) is kept without the secret, in the body and anywhere in
// the quarantine workflow's history.
import { describe, expect, it } from '@jest/globals';
import { quarantineItemQuery } from '../../workflows/shared';
import {
  expectQuarantined,
  MANAGEMENT_SECRET,
  MEETERGO_TOKEN,
  quarantineHandle,
  useQuarantineStack,
} from '../helpers/quarantineStack';
import { loadFixture } from '../helpers/raw';
import { signMeetergo } from '../helpers/sign/meetergo';

useQuarantineStack();

/**
 * History as text with every payload's data decoded: fetchHistory gives the proto3 JSON form, in
 * which a payload is `{ metadata, data: <base64 of the JSON value> }`.
 */
function decodedHistoryText(history: unknown): string {
  return JSON.stringify(history, (_key, value: unknown) => {
    if (typeof value !== 'object' || value === null) return value;
    const { metadata, data } = value as { metadata?: unknown; data?: unknown };
    if (typeof metadata !== 'object' || metadata === null) return value;
    if (typeof data === 'string')
      return { metadata, data: Buffer.from(data, 'base64').toString('utf8') };
    if (data instanceof Uint8Array) return { metadata, data: Buffer.from(data).toString('utf8') };
    return value;
  });
}

describe('meetergo secrets in quarantine', () => {
  async function expectNoSecretInHistory(id: string, marker: string) {
    const handle = quarantineHandle(id);
    const item = await handle.query(quarantineItemQuery);
    const kept = Buffer.from(item.bodyBase64, 'base64').toString('utf8');
    expect(kept).toContain(marker); // the body is there, only the secret is not
    expect(kept).not.toContain(MANAGEMENT_SECRET);

    const history = await handle.fetchHistory();
    const raw = JSON.stringify(history);
    expect(raw).not.toContain(MANAGEMENT_SECRET);
    const decoded = decodedHistoryText(history);
    expect(decoded).toContain('bodyBase64'); // payloads really were decoded
    expect(decoded).not.toContain(MANAGEMENT_SECRET);
    const bodies = [...decoded.matchAll(/\\?"bodyBase64\\?":\s*\\?"([A-Za-z0-9+/=]+)/g)].map((m) =>
      Buffer.from(m[1] ?? '', 'base64').toString('utf8'),
    );
    expect(bodies.length).toBeGreaterThanOrEqual(1);
    for (const body of bodies) {
      expect(body).toContain(marker);
      expect(body).not.toContain(MANAGEMENT_SECRET);
    }
  }

  it('a readable JSON body that is not understood loses its secret before Temporal', async () => {
    const body = Buffer.from(
      loadFixture('meetergo', 'booking_created.json')
        .toString('utf8')
        .replace('"start": "2025-01-15T09:00:00+01:00"', '"start": 5'),
    );
    expect(body.toString('utf8')).toContain(MANAGEMENT_SECRET);
    const id = await expectQuarantined('meetergo', signMeetergo(body, MEETERGO_TOKEN));
    await expectNoSecretInHistory(id, 'booking_created');
  });

  it('a truncated body loses its secret too', async () => {
    const text = loadFixture('meetergo', 'booking_created.json').toString('utf8');
    const body = Buffer.from(text.slice(0, text.indexOf('"location"')));
    expect(body.toString('utf8')).toContain(MANAGEMENT_SECRET);
    const id = await expectQuarantined('meetergo', signMeetergo(body, MEETERGO_TOKEN));
    await expectNoSecretInHistory(id, 'booking_created');
  });
});
