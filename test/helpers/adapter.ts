import { expect } from '@jest/globals';
import fc from 'fast-check';
import { UnreadablePayloadError, WebhookError } from '../../src/errors';

/** The WebhookError code `fn` throws (undefined when it does not throw); other errors propagate. */
export function webhookCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof WebhookError) return err.code;
    throw err;
  }
  return undefined;
}

/** Random bytes, random JSON, and a valid body with junk spliced in somewhere. */
export function hostileBodies(valid: string): fc.Arbitrary<Buffer> {
  return fc.oneof(
    fc.uint8Array({ maxLength: 512 }).map((a) => Buffer.from(a)),
    fc.json().map((j) => Buffer.from(j)),
    fc
      .tuple(fc.nat(valid.length), fc.string())
      .map(([i, s]) => Buffer.from(valid.slice(0, i) + s + valid.slice(i))),
  );
}

/**
 * An adapter fed hostile bodies may only answer events or its own UnreadablePayloadError. Give a
 * valid body (mutated by hostileBodies) or the platform's own arbitrary of bodies.
 */
export function expectOnlyUnreadable(
  handle: (body: Buffer) => unknown,
  bodies: string | fc.Arbitrary<Buffer>,
  numRuns = 500,
): void {
  fc.assert(
    fc.property(typeof bodies === 'string' ? hostileBodies(bodies) : bodies, (body) => {
      try {
        handle(body);
      } catch (err) {
        expect(err).toBeInstanceOf(UnreadablePayloadError);
      }
    }),
    { numRuns },
  );
}
