// Customers, accounts and contacts in the truth, and how they change: created, updated (a new
// name, a new address), removed. A contact belongs to an account, and an account is removed only
// once it has no contacts left. Customers are never removed: bookings keep pointing at them.
import type { ProviderId } from '../events/canonical';
import type { Change, EntityKind, TruthEntity } from './model';
import type { Truth } from './truth';

const FIRST = ['Ann', 'Bob', 'Cindy', 'Dirk', 'Eva', 'Femke', 'Gus', 'Hana'];
const LAST = ['Smith', 'Jansen', 'de Vries', 'Novak', 'Okafor', 'Tanaka'];
const COMPANIES = ['Harbour', 'Northwind', 'Blue Fjord', 'Atlas', 'Linden'];
const SUFFIXES = ['Travel', 'Events', 'Group', 'Tours'];
const CITIES = ['Utrecht', 'Vancouver', 'Berlin', 'Lyon', 'Osaka'];
const PREFIX: Record<EntityKind, string> = { customer: 'cus', account: 'acc', contact: 'con' };

/** Unique per id, so the email-keyed platforms (Meeva, meetergo) see one customer per person. */
function email(first: string, last: string, id: string): string {
  return `${first}.${last.replace(/\s+/g, '-')}.${id}@example.com`.toLowerCase();
}

function person(truth: Truth, id: string, first = truth.pick(FIRST)): Record<string, string> {
  const last = truth.pick(LAST);
  return { firstName: first, lastName: last, email: email(first, last, id) };
}

function entity(
  truth: Truth,
  platform: ProviderId,
  kind: EntityKind,
  at: number,
  fields: (id: string) => Record<string, string>,
): TruthEntity {
  const id = truth.newId(platform, PREFIX[kind]);
  return { platform, kind, id, fields: fields(id), removed: false, createdAt: at, updatedAt: at };
}

/** A customer who arrives with a booking: no webhook of its own (the booking carries it). */
export function newCustomer(truth: Truth, platform: ProviderId, at: number): TruthEntity {
  const customer = entity(truth, platform, 'customer', at, (id) => person(truth, id));
  truth.storeEntity(customer);
  return customer;
}

/** One change to the people of a platform that announces them (`only`: a new one of that kind). */
export function entityStep(truth: Truth, platform: ProviderId, only?: EntityKind): Change {
  const at = truth.tick();
  const live = (kind: EntityKind) => truth.people(platform, kind);
  const create = (kind: EntityKind, fields: (id: string) => Record<string, string>) => () =>
    truth.recordEntity('created', entity(truth, platform, kind, at, fields));
  const update = (e: TruthEntity, fields: Record<string, string>) => () =>
    truth.recordEntity('updated', { ...e, fields: { ...e.fields, ...fields }, updatedAt: at });
  const remove = (e: TruthEntity) => () =>
    truth.recordEntity('removed', { ...e, fields: { ...e.fields }, removed: true, updatedAt: at });
  const company = () => ({
    name: `${truth.pick(COMPANIES)} ${truth.pick(SUFFIXES)}`,
    city: truth.pick(CITIES),
  });

  const ops: (() => Change)[] = [];
  if (only === undefined || only === 'customer')
    ops.push(create('customer', (id) => person(truth, id)));
  if (only === undefined) {
    const [customers, accounts, contacts] = [live('customer'), live('account'), live('contact')];
    if (customers.length > 0) {
      const c = truth.pick(customers);
      ops.push(update(c, person(truth, c.id, c.fields['firstName'])));
    }
    ops.push(create('account', company));
    if (accounts.length > 0) {
      const a = truth.pick(accounts);
      ops.push(update(a, truth.random() < 0.5 ? { city: truth.pick(CITIES) } : company()));
      const owner = a.id;
      ops.push(create('contact', (id) => ({ ...person(truth, id), accountId: owner })));
      const empty = accounts.filter((x) => !contacts.some((c) => c.fields['accountId'] === x.id));
      if (empty.length > 0) ops.push(remove(truth.pick(empty)));
    }
    if (contacts.length > 0) {
      const c = truth.pick(contacts);
      ops.push(update(c, person(truth, c.id, c.fields['firstName'])));
      ops.push(remove(c));
    }
  }
  return truth.pick(ops)();
}
