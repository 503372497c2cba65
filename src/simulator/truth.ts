// The simulator's truth: what each platform "really" holds. Every change is recorded as a Change
// (delivered as a webhook) and mutates the bookings and people the fake APIs serve.
// Deterministic for a seed.
import type { ProviderId } from '../events/canonical';
import {
  ENTITY_PLATFORMS,
  PLATFORM_KINDS,
  type BookingChangeKind,
  type Change,
  type EntityChangeKind,
  type EntityKind,
  type SimCustomer,
  type TruthBooking,
  type TruthEntity,
} from './model';
import { entityStep, newCustomer } from './people';

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

const DAY = 24 * 60 * 60 * 1000;
/** The share of changes that are about people rather than bookings, where a platform has them. */
const ENTITY_SHARE = 0.15;

export class Truth {
  readonly bookings = new Map<string, TruthBooking>();
  /** Customers (of every platform), accounts and contacts, by `Truth.entityKey`. */
  readonly entities = new Map<string, TruthEntity>();
  readonly changes: Change[] = [];
  private clock: number;
  private counter = 0;

  constructor(
    readonly random: () => number,
    readonly runId: string,
    start = Date.now(),
  ) {
    this.clock = Math.floor(start / 1000) * 1000;
  }

  static key(platform: ProviderId, id: string): string {
    return `${platform}/${id}`;
  }

  static entityKey(kind: EntityKind, platform: ProviderId, id: string): string {
    return `${kind}/${platform}/${id}`;
  }

  get(platform: ProviderId, id: string): TruthBooking | undefined {
    return this.bookings.get(Truth.key(platform, id));
  }

  list(platform: ProviderId): TruthBooking[] {
    return [...this.bookings.values()].filter((b) => b.platform === platform);
  }

  /** Live records of one kind on one platform. */
  people(platform: ProviderId, kind: EntityKind): TruthEntity[] {
    return [...this.entities.values()].filter(
      (e) => e.platform === platform && e.kind === kind && !e.removed,
    );
  }

  tick(): number {
    this.clock += 1000; // strictly increasing whole seconds: every change has its own version
    return this.clock;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.random() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  newId(platform: ProviderId, prefix = 'sim'): string {
    this.counter += 1;
    const n = String(this.counter);
    // Zaui and MeetingPackage use numbers; the others opaque strings.
    if (platform === 'zaui' || platform === 'meetingpackage')
      return `${10000 + (Number.parseInt(this.runId, 36) % 90000)}${n.padStart(6, '0')}`;
    return `${prefix}_${this.runId}_${n}`;
  }

  private record(kind: BookingChangeKind, booking: TruthBooking, previous?: TruthBooking): Change {
    this.bookings.set(Truth.key(booking.platform, booking.id), booking);
    const change: Change = {
      seq: this.changes.length + 1,
      platform: booking.platform,
      entity: 'booking',
      kind,
      booking: { ...booking, customer: { ...booking.customer } },
      ...(previous === undefined ? {} : { previous: { ...previous } }),
    };
    this.changes.push(change);
    return change;
  }

  /** Stores a customer, account or contact without a webhook of its own. */
  storeEntity(entity: TruthEntity): void {
    this.entities.set(Truth.entityKey(entity.kind, entity.platform, entity.id), entity);
  }

  /** Stores a customer, account or contact and records the change (a webhook). */
  recordEntity(kind: EntityChangeKind, entity: TruthEntity): Change {
    this.storeEntity(entity);
    const change: Change = {
      seq: this.changes.length + 1,
      platform: entity.platform,
      entity: entity.kind,
      kind,
      record: { ...entity, fields: { ...entity.fields } },
    };
    this.changes.push(change);
    return change;
  }

  /** The customer as a booking embeds it now. */
  embedded(platform: ProviderId, customerId: string): SimCustomer {
    const c = this.entities.get(Truth.entityKey('customer', platform, customerId));
    if (c === undefined) throw new Error(`no customer ${platform}/${customerId}`);
    const { email = '', firstName = '', lastName = '' } = c.fields;
    return { id: c.id, email, firstName, lastName };
  }

  private slot(): { startsAt: string; endsAt: string } {
    // Days ahead, so no no-show timer fires during a run.
    const start = Math.floor((this.clock + (3 + Math.floor(this.random() * 60)) * DAY) / 3.6e6);
    const startMs = start * 3.6e6;
    return {
      startsAt: new Date(startMs).toISOString(),
      endsAt: new Date(startMs + (1 + Math.floor(this.random() * 4)) * 3.6e6).toISOString(),
    };
  }

  create(platform: ProviderId): Change {
    const at = this.tick();
    // A returning customer now and then; where the platform announces customers itself, the
    // customer was announced by an earlier change (see step), elsewhere it comes with the booking.
    const known = this.people(platform, 'customer');
    const reuse = known.length > 0 && (ENTITY_PLATFORMS.has(platform) || this.random() < 0.25);
    const customer = reuse ? this.pick(known) : newCustomer(this, platform, at);
    return this.record('created', {
      platform,
      id: this.newId(platform),
      status: 'confirmed',
      ...this.slot(),
      customer: this.embedded(platform, customer.id),
      updatedAt: at,
      createdAt: at,
      guests: 1 + Math.floor(this.random() * 4),
    });
  }

  /** The changes this booking may still undergo on its platform. */
  nextKinds(b: TruthBooking): BookingChangeKind[] {
    const kinds = PLATFORM_KINDS[b.platform];
    if (b.status === 'confirmed')
      return kinds.filter((k) => k !== 'created' && k !== 'checked_out');
    if (b.status === 'checked_in') return kinds.filter((k) => k === 'checked_out');
    return [];
  }

  change(b: TruthBooking, kind: BookingChangeKind): Change {
    const at = this.tick();
    // Every webhook about the booking carries its customer as the platform knows it now.
    const next: TruthBooking = {
      ...b,
      customer: this.embedded(b.platform, b.customer.id),
      updatedAt: at,
    };
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
    const withPeople = platforms.filter((p) => ENTITY_PLATFORMS.has(p));
    if (withPeople.length > 0 && this.random() < ENTITY_SHARE)
      return entityStep(this, this.pick(withPeople));
    const open = [...this.bookings.values()].filter(
      (b) => platforms.includes(b.platform) && this.nextKinds(b).length > 0,
    );
    if (mayCreate && (open.length === 0 || this.random() < 0.4)) {
      const platform = this.pick(platforms);
      // A platform that announces customers announces a new one before its first booking.
      if (ENTITY_PLATFORMS.has(platform) && this.people(platform, 'customer').length === 0)
        return entityStep(this, platform, 'customer');
      return this.create(platform);
    }
    if (open.length === 0) return undefined;
    const b = this.pick(open);
    return this.change(b, this.pick(this.nextKinds(b)));
  }
}
