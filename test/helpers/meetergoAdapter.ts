// The meetergo adapter driven as the receiver drives it, shared by the meetergo unit tests: a body
// sent with a URL token, verified against the source's tokens, then parsed into events.
import type { CanonicalEvent } from '../../src/events/canonical';
import { meetergoProvider } from '../../src/providers/meetergo';
import { loadFixture, normaliseCtx, rawFrom, sourceCtx } from './raw';
import { signMeetergo } from './sign/meetergo';

export const MEETERGO_TOKEN = 'tok_meetergo_current_5f0c';

/** Verifies `body` sent with `sendToken` against the source's `tokens`, then parses it. */
export function handleMeetergo(
  body: Buffer,
  tokens = [MEETERGO_TOKEN],
  sendToken = MEETERGO_TOKEN,
): CanonicalEvent[] {
  const raw = rawFrom(signMeetergo(body, sendToken));
  meetergoProvider.verify(raw, sourceCtx('meetergo', tokens));
  return meetergoProvider.parse(raw, normaliseCtx(body));
}

/** A stored meetergo fixture, sent with the current token. */
export function handleMeetergoFixture(name: string): CanonicalEvent[] {
  return handleMeetergo(loadFixture('meetergo', name));
}
