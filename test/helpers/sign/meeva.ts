// One copy of the signers: the simulator's (src/simulator/sign/), re-exported for the tests.
export { signMeeva } from '../../../src/simulator/sign/meeva';
