// One copy of the signers: the simulator's (src/simulator/sign/), re-exported for the tests.
export { signZaui } from '../../../src/simulator/sign/zaui';
