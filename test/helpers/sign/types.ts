// One copy of the signers: the simulator's (src/simulator/sign/), re-exported for the tests.
export type { Delivery } from '../../../src/simulator/sign/types';
