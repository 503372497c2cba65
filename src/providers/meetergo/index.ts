import { defineProvider } from '../types';
import { normaliseMeetergo } from './normalise';
import { redactSensitive } from '../redact';
import { meetergoEnvelopeSchema } from './schema';
import { verifyMeetergo } from './verify';

export const meetergoProvider = defineProvider({
  id: 'meetergo',
  verify: verifyMeetergo,
  envelope: meetergoEnvelopeSchema,
  normalise: normaliseMeetergo,
});

/** meetergo's booking-management `secret` never reaches quarantine (see redact.ts). */
export const redactMeetergoBody = redactSensitive;
