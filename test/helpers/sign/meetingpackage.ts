// One copy of the signers: the simulator's (src/simulator/sign/), re-exported for the tests.
export { signMeetingPackage } from '../../../src/simulator/sign/meetingpackage';
