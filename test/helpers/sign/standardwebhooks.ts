// One copy of the signers: the simulator's (src/simulator/sign/), re-exported for the tests.
export {
  standardWebhookSignature,
  signStandardWebhook,
} from '../../../src/simulator/sign/standardwebhooks';
