// Which change an envelope announces. The type id decides (type ids are unique across groups:
// 100–102 bookings … 1000–1002 products, 700 check-in; legacy table, S5.7). Legacy samples carry
// no ids at all, only `eventNotificationType` ("Booking Creation", "Activity Check-in"), and the
// newer envelope adds `eventNotificationTypeV2` ("contact.creation"), so those names are read when
// the type id is missing. A group id that contradicts the type id is not guessed at.
import type { ZauiEnvelope } from './schema';

type Category =
  | 'booking'
  | 'customer'
  | 'account'
  | 'contact'
  | 'employee'
  | 'checkin'
  | 'package'
  | 'activity'
  | 'product';
type Step = 0 | 1 | 2;

export type ZauiRoute =
  | { kind: 'booking'; action: 'created' | 'amended' | 'cancelled' }
  | { kind: 'checkin' }
  | { kind: 'customer' | 'account' | 'contact'; action: 'created' | 'updated' | 'removed' }
  | { kind: 'ignored' };

const GROUPS: ReadonlyMap<number, Category> = new Map([
  [100, 'booking'],
  [200, 'customer'],
  [300, 'account'],
  [400, 'contact'],
  [500, 'employee'],
  [700, 'checkin'],
  [800, 'package'],
  [900, 'activity'],
  [1000, 'product'],
]);

// Check-in first: its legacy name is "Activity Check-in".
const NAMES: readonly (readonly [RegExp, Category])[] = [
  [/check.?in/, 'checkin'],
  [/^booking/, 'booking'],
  [/^customer/, 'customer'],
  [/^account/, 'account'],
  [/^contact/, 'contact'],
  [/^employee/, 'employee'],
  [/^package/, 'package'],
  [/^activit/, 'activity'],
  [/^product/, 'product'],
];

const STEPS: readonly (readonly [RegExp, Step])[] = [
  [/creat/, 0],
  [/amend|updat|edit|chang/, 1],
  [/cancel|remov|delet/, 2],
];

function routeOf(category: Category, step: Step): ZauiRoute {
  switch (category) {
    case 'booking':
      return { kind: 'booking', action: (['created', 'amended', 'cancelled'] as const)[step] };
    case 'customer':
    case 'account':
    case 'contact':
      return { kind: category, action: (['created', 'updated', 'removed'] as const)[step] };
    case 'checkin':
      return step === 0 ? { kind: 'checkin' } : { kind: 'ignored' };
    case 'employee':
    case 'package':
    case 'activity':
    case 'product':
      return { kind: 'ignored' };
  }
}

function asStep(value: number): Step | undefined {
  return value === 0 || value === 1 || value === 2 ? value : undefined;
}

function routeFromTypeId(typeId: number): ZauiRoute {
  const category = GROUPS.get(typeId - (typeId % 100));
  const step = asStep(typeId % 100);
  // Unknown ids (600, Inventory's undocumented ids) are acknowledged, not forwarded.
  return category === undefined || step === undefined
    ? { kind: 'ignored' }
    : routeOf(category, step);
}

function routeFromName(name: string | undefined): ZauiRoute | undefined {
  if (name === undefined) return undefined;
  const lower = name.toLowerCase();
  const category = NAMES.find(([pattern]) => pattern.test(lower))?.[1];
  if (category === 'checkin') return { kind: 'checkin' };
  const step = STEPS.find(([pattern]) => pattern.test(lower))?.[1];
  return category === undefined || step === undefined ? undefined : routeOf(category, step);
}

export function resolveZauiRoute(envelope: ZauiEnvelope): ZauiRoute {
  const typeId = envelope.eventNotificationTypeId;
  const groupId = envelope.eventNotificationGroupId;
  if (typeId !== undefined) {
    if (groupId !== undefined && groupId !== typeId - (typeId % 100)) {
      throw new Error(`group id ${String(groupId)} does not hold type id ${String(typeId)}`);
    }
    return routeFromTypeId(typeId);
  }
  return (
    routeFromName(envelope.eventNotificationTypeV2) ??
    routeFromName(envelope.eventNotificationType) ?? { kind: 'ignored' }
  );
}
