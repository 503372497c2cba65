// The booking workflow's signal, query and update handlers, the same for every run whatever
// runtime holds it (legacy/ for runs recorded before `lean-booking`). Handlers only record and
// enqueue; the loop does the work.
import { setHandler } from '@temporalio/workflow';
import type { BookingEvent, CanonicalEvent } from '../../src/events/canonical';
import {
  bookingStateQuery,
  eventSignal,
  explainQuery,
  refetchUpdate,
  resumeUpdate,
  skipUpdate,
  type OperatorInput,
} from '../shared';
import type { BookingExplanation, BookingView } from './types';

type OperatorKind = 'resume' | 'skip' | 'refetch';

export interface BookingHandlers {
  receive(event: BookingEvent): void;
  view(): BookingView;
  explain(): BookingExplanation;
  operate(kind: OperatorKind, reason: string): BookingView;
  paused(): unknown;
}

function validateOperator(input: OperatorInput): void {
  if (typeof input.reason !== 'string' || input.reason.trim().length < 3) {
    throw new Error('say why: a reason of at least 3 characters is required');
  }
}

/** Registers the handlers; answers how many signals this run has received. */
export function setBookingHandlers(rt: BookingHandlers): () => number {
  let signals = 0;
  setHandler(eventSignal, (event: CanonicalEvent) => {
    signals += 1;
    if (event.entity !== 'booking') return; // misrouted: the receiver never sends these here
    rt.receive(event);
  });
  setHandler(bookingStateQuery, () => rt.view());
  setHandler(explainQuery, () => rt.explain());
  const whilePaused = (i: OperatorInput) => {
    validateOperator(i);
    if (rt.paused() === undefined) throw new Error('the booking is not paused');
  };
  setHandler(resumeUpdate, (i) => rt.operate('resume', i.reason), { validator: whilePaused });
  setHandler(skipUpdate, (i) => rt.operate('skip', i.reason), { validator: whilePaused });
  setHandler(refetchUpdate, (i) => rt.operate('refetch', i.reason), {
    validator: validateOperator,
  });
  return () => signals;
}
