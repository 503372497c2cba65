import { defineProvider } from '../types';
import { normaliseMeetergo } from './normalise';
import { meetergoEnvelopeSchema, withoutSecrets } from './schema';
import { verifyMeetergo } from './verify';

export const meetergoProvider = defineProvider({
  id: 'meetergo',
  verify: verifyMeetergo,
  envelope: meetergoEnvelopeSchema,
  normalise: normaliseMeetergo,
  redact: redactMeetergoBody,
});

/**
 * A quarantined meetergo body must not carry the booking-management `secret` into Temporal
 * history: a parseable body loses the key at any depth; an unparseable one has every
 * `"secret": "…"` pair blanked by pattern, since that is all that can be done with broken JSON.
 */
export function redactMeetergoBody(body: Buffer): Buffer {
  const text = body.toString('utf8');
  try {
    return Buffer.from(JSON.stringify(withoutSecrets(JSON.parse(text))));
  } catch {
    return Buffer.from(text.replace(/("secret"\s*:\s*)"(?:[^"\\]|\\.)*"/gi, '$1"[redacted]"'));
  }
}
