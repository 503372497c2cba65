import { createHash } from 'node:crypto';

/** A stable event id for providers that send none: the same change always hashes the same. */
export function stableEventId(
  prefix: string,
  ...parts: readonly (string | number | undefined)[]
): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(`${part ?? ''}\u0000`);
  return `${prefix}_${hash.digest('hex').slice(0, 32)}`;
}

export function sha256Hex(body: Buffer): string {
  return createHash('sha256').update(body).digest('hex');
}

/** ISO-8601 to epoch ms; undefined for anything Date cannot read. */
export function toEpochMs(value: string | undefined | null): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

export function toIso(ms: number): string {
  return new Date(ms).toISOString();
}
