// The simulator's truth: what each platform "really" holds. Every change is recorded as a Change
// (delivered as a webhook) and mutates the bookings the fake APIs serve. Deterministic for a seed.
import type { ProviderId } from '../events/canonical';

export type SimStatus = 'confirmed' | 'cancelled' | 'checked_in' | 'checked_out';
export type ChangeKind =
  'created' | 'amended' | 'rescheduled' | 'cancelled' | 'checked_in' | 'checked_out';

export interface SimCustomer {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
}

export interface TruthBooking {
  platform: ProviderId;
  id: string;
  status: SimStatus;
  startsAt: string;
  endsAt: string;
  customer: SimCustomer;
  /** Change time of the newest change, epoch ms (whole seconds: MeetingPackage sends seconds). */
  updatedAt: number;
  createdAt: number;
  cancelledAt?: number;
  rescheduledAt?: number;
  previousBookingId?: string;
  rescheduledTo?: string;
  /** Amendments bump this (a note, a party size): what an amend changes. */
  guests: number;
}

export interface Change {
  seq: number;
  kind: ChangeKind;
  /** The booking after the change (a copy). */
  booking: TruthBooking;
  /** Meeva reschedules issue a new id: the old booking, now cancelled. */
  previous?: TruthBooking;
}

/** What each platform can tell us about: the webhooks it sends. */
export const PLATFORM_KINDS: Record<ProviderId, readonly ChangeKind[]> = {
  meeva: ['created', 'rescheduled', 'cancelled'],
  bookingexperts: ['created', 'amended', 'cancelled', 'checked_in', 'checked_out'],
  meetingpackage: ['created', 'amended', 'cancelled', 'checked_in', 'checked_out'],
  meetergo: ['created', 'rescheduled', 'cancelled'],
  zaui: ['created', 'amended', 'cancelled', 'checked_in'],
  standardwebhooks: ['created', 'amended', 'rescheduled', 'cancelled', 'checked_in', 'checked_out'],
};

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
export function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = ['Ann', 'Bob', 'Cindy', 'Dirk', 'Eva', 'Femke', 'Gus', 'Hana'];
const LAST = ['Smith', 'Jansen', 'de Vries', 'Novak', 'Okafor', 'Tanaka'];
const DAY = 24 * 60 * 60 * 1000;

export class Truth {
  readonly bookings = new Map<string, TruthBooking>();
  readonly changes: Change[] = [];
  private clock: number;
  private counter = 0;

  constructor(
    private readonly random: () => number,
    readonly runId: string,
    start = Date.now(),
  ) {
    this.clock = Math.floor(start / 1000) * 1000;
  }

  static key(platform: ProviderId, id: string): string {
    return `${platform}/${id}`;
  }

  get(platform: ProviderId, id: string): TruthBooking | undefined {
    return this.bookings.get(Truth.key(platform, id));
  }

  list(platform: ProviderId): TruthBooking[] {
    return [...this.bookings.values()].filter((b) => b.platform === platform);
  }

  private tick(): number {
    this.clock += 1000; // strictly increasing whole seconds: every change has its own version
    return this.clock;
  }

  private pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.random() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  private newId(platform: ProviderId): string {
    this.counter += 1;
    const n = String(this.counter);
    // Zaui and MeetingPackage use numbers; the others opaque strings.
    if (platform === 'zaui' || platform === 'meetingpackage')
      return `${10000 + (Number.parseInt(this.runId, 36) % 90000)}${n.padStart(6, '0')}`;
    return `sim_${this.runId}_${n}`;
  }

  private record(kind: ChangeKind, booking: TruthBooking, previous?: TruthBooking): Change {
    this.bookings.set(Truth.key(booking.platform, booking.id), booking);
    const change: Change = {
      seq: this.changes.length + 1,
      kind,
      booking: { ...booking },
      ...(previous === undefined ? {} : { previous: { ...previous } }),
    };
    this.changes.push(change);
    return change;
  }

  private slot(): { startsAt: string; endsAt: string } {
    // Days ahead, so neither reminders nor no-show timers fire during a run.
    const start = Math.floor((this.clock + (3 + Math.floor(this.random() * 60)) * DAY) / 3.6e6);
    const startMs = start * 3.6e6;
    return {
      startsAt: new Date(startMs).toISOString(),
      endsAt: new Date(startMs + (1 + Math.floor(this.random() * 4)) * 3.6e6).toISOString(),
    };
  }

  create(platform: ProviderId): Change {
    const at = this.tick();
    const id = this.newId(platform);
    const first = this.pick(FIRST);
    const last = this.pick(LAST);
    const customer: SimCustomer = {
      id: String(1000 + Math.floor(this.random() * 9000)),
      email: `${first.toLowerCase()}.${id}@example.com`,
      firstName: first,
      lastName: last,
    };
    return this.record('created', {
      platform,
      id,
      status: 'confirmed',
      ...this.slot(),
      customer,
      updatedAt: at,
      createdAt: at,
      guests: 1 + Math.floor(this.random() * 4),
    });
  }

  /** The changes this booking may still undergo on its platform. */
  nextKinds(b: TruthBooking): ChangeKind[] {
    const kinds = PLATFORM_KINDS[b.platform];
    if (b.status === 'confirmed')
      return kinds.filter((k) => k !== 'created' && k !== 'checked_out');
    if (b.status === 'checked_in') return kinds.filter((k) => k === 'checked_out');
    return [];
  }

  change(b: TruthBooking, kind: ChangeKind): Change {
    const at = this.tick();
    const next: TruthBooking = { ...b, updatedAt: at };
    switch (kind) {
      case 'created':
        throw new Error('use create()');
      case 'amended':
        next.guests = b.guests + 1;
        return this.record(kind, next);
      case 'rescheduled': {
        const slot = this.slot();
        if (b.platform !== 'meeva')
          return this.record(kind, { ...next, ...slot, rescheduledAt: at });
        // Meeva issues a new booking id; the old one ends cancelled (reason: rescheduled).
        const replacement: TruthBooking = {
          ...next,
          ...slot,
          id: this.newId(b.platform),
          createdAt: at,
          rescheduledAt: at,
          previousBookingId: b.id,
        };
        const old: TruthBooking = {
          ...next,
          status: 'cancelled',
          cancelledAt: at,
          rescheduledTo: replacement.id,
        };
        this.bookings.set(Truth.key(old.platform, old.id), old);
        return this.record(kind, replacement, old);
      }
      case 'cancelled':
        return this.record(kind, { ...next, status: 'cancelled', cancelledAt: at });
      case 'checked_in':
        return this.record(kind, { ...next, status: 'checked_in' });
      case 'checked_out':
        return this.record(kind, { ...next, status: 'checked_out' });
    }
  }

  /** One more change: a new booking while `mayCreate` (randomly), else a change to an open one. */
  step(platforms: readonly ProviderId[], mayCreate: boolean): Change | undefined {
    const open = [...this.bookings.values()].filter(
      (b) => platforms.includes(b.platform) && this.nextKinds(b).length > 0,
    );
    if (mayCreate && (open.length === 0 || this.random() < 0.4))
      return this.create(this.pick(platforms));
    if (open.length === 0) return undefined;
    const b = this.pick(open);
    return this.change(b, this.pick(this.nextKinds(b)));
  }
}
