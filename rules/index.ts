// Example rules (HOOKLINE_RULES=./rules). The worker loads every defineRule this module exports
// and bundles the workflow functions it exports: export both.
export { housekeeping, housekeepingRule } from './housekeeping';
export { largeBooking, largeBookingRule } from './largeBooking';
export { preArrival, preArrivalRule } from './preArrival';
