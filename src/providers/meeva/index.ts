import { defineProvider } from '../types';
import { normaliseMeeva } from './normalise';
import { meevaEnvelopeSchema } from './schema';
import { verifyMeeva } from './verify';

export const meevaProvider = defineProvider({
  id: 'meeva',
  verify: verifyMeeva,
  envelope: meevaEnvelopeSchema,
  normalise: normaliseMeeva,
});
