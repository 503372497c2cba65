import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { ProviderId } from '../../src/events/canonical';
import type { NormaliseContext, RawWebhook, SourceContext } from '../../src/providers/types';
import type { Delivery } from './sign/types';

export const RECEIVED_AT = '2026-01-01T00:00:00.000Z';

export function rawFrom(delivery: Delivery): RawWebhook {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(delivery.headers)) headers[k.toLowerCase()] = v;
  return { headers, query: delivery.query, body: delivery.body, receivedAt: RECEIVED_AT };
}

export function sourceCtx(
  provider: ProviderId,
  secrets: string[],
  options: Record<string, string> = {},
  source = 'default',
): SourceContext {
  return { provider, source, secrets, auth: 'secret', options };
}

export function normaliseCtx(body: Buffer, source = 'default'): NormaliseContext {
  return {
    source,
    receivedAt: RECEIVED_AT,
    bodyHash: createHash('sha256').update(body).digest('hex'),
  };
}

export function fixtureDir(provider: string): string {
  return path.resolve(__dirname, '../fixtures', provider);
}

/** Every fixture of a platform as raw bytes, exactly as stored (signatures are over these bytes). */
export function loadFixtures(provider: string): { name: string; body: Buffer }[] {
  const dir = fixtureDir(provider);
  return readdirSync(dir)
    .filter((f) => !f.endsWith('.expected.json'))
    .sort()
    .map((name) => ({ name, body: readFileSync(path.join(dir, name)) }));
}

export function loadFixture(provider: string, name: string): Buffer {
  return readFileSync(path.join(fixtureDir(provider), name));
}
