import type { CanonicalEvent } from '../events/canonical';
import type { QuarantineItem } from '../../workflows/quarantine/types';

/** The receiver's only durable write: handing events (or an unreadable delivery) to Temporal. */
export interface Dispatcher {
  /** Resolves once every event is durably recorded; rejects if any hand-off failed. */
  dispatch(events: readonly CanonicalEvent[]): Promise<void>;
  quarantine(item: QuarantineItem): Promise<void>;
  /** True when Temporal answers. */
  ready(): Promise<boolean>;
}
