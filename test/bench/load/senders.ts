// The two ways the load generator delivers one event: a signed HTTP request to the receiver over a
// keep-alive agent, or signalWithStart straight from a Temporal client with exactly the options the
// dispatcher uses (so "raw" is the receiver's ceiling, not a cheaper call).
import { Agent, request } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../../../src/config';
import type { BookingEvent } from '../../../src/events/canonical';
import { meevaProvider } from '../../../src/providers/meeva';
import { bookingSettingsFor } from '../../../src/temporal/dispatcher';
import {
  EntitySA,
  entityWorkflowId,
  eventSignal,
  keyOf,
  ProviderSA,
  SourceSA,
  StatusSA,
  WORKFLOW_TYPES,
} from '../../../workflows/shared';
import { meevaDelivery, meevaEnvelope } from '../deliveries';
import type { LoadPayloads, LoadTarget } from './types';

/** What one request produced: a status ('200', '503', 'ok', 'timeout', 'error:…'). */
export interface Outcome {
  status: string;
  ok: boolean;
  retryAfter: boolean;
}

export interface Item {
  bookingId: string;
  eventId: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

/** The n-th request of a run. */
export function itemFactory(payloads: LoadPayloads): (n: number) => Item {
  if (payloads.kind === 'list') {
    const list = payloads.requests.map((r) => ({
      ...r,
      body: Buffer.from(r.bodyBase64, 'base64'),
    }));
    return (n) => {
      const r = list[n % list.length];
      if (r === undefined) throw new Error('an empty request list');
      return { bookingId: `list_${n}`, eventId: `list_${n}`, ...r };
    };
  }
  if (payloads.kind === 'meevaPlan') {
    return (n) => {
      const d = payloads.deliveries[n];
      if (d === undefined) throw new Error(`the plan has no delivery ${n}`);
      const type = d.n === 0 ? 'booking.created' : 'booking.rescheduled';
      const delivery = meevaDelivery(
        meevaEnvelope({ eventId: d.eventId, bookingId: d.bookingId, type, n: d.n }),
        payloads.secret,
      );
      return {
        bookingId: d.bookingId,
        eventId: d.eventId,
        path: '/webhooks/meeva',
        headers: delivery.headers,
        body: delivery.body,
      };
    };
  }
  return (n) => {
    const bookingId = `${payloads.prefix}${payloads.bookings === undefined ? n : n % payloads.bookings}`;
    const eventId = `${payloads.prefix}e${n}`;
    const type = payloads.sequence === true && n > 0 ? 'booking.rescheduled' : 'booking.created';
    const delivery = meevaDelivery(meevaEnvelope({ eventId, bookingId, type, n }), payloads.secret);
    return {
      bookingId,
      eventId,
      path: '/webhooks/meeva',
      headers: delivery.headers,
      body: delivery.body,
    };
  };
}

export type Send = (item: Item) => Promise<Outcome>;

export interface Sender {
  send: Send;
  close(): Promise<void>;
}

export function httpSender(
  target: Extract<LoadTarget, { kind: 'http' }>,
  sockets: number,
  timeoutMs: number,
): Sender {
  const url = new URL(target.url);
  const agent = new Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
  const send: Send = (item) =>
    new Promise((resolve) => {
      let settled = false;
      const done = (outcome: Outcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(outcome);
      };
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          method: 'POST',
          path: item.path,
          agent,
          headers: { ...item.headers, 'content-length': String(item.body.length) },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            done({
              status: String(status),
              ok: status >= 200 && status < 300,
              retryAfter: res.headers['retry-after'] !== undefined,
            });
          });
          res.on('error', () => done({ status: 'error', ok: false, retryAfter: false }));
        },
      );
      const timer = setTimeout(() => {
        done({ status: 'timeout', ok: false, retryAfter: false });
        req.destroy();
      }, timeoutMs);
      req.on('error', (err: NodeJS.ErrnoException) =>
        done({ status: `error:${err.code ?? err.name}`, ok: false, retryAfter: false }),
      );
      req.end(item.body);
    });
  return {
    send,
    close: () => {
      agent.destroy();
      return Promise.resolve();
    },
  };
}

/** The canonical event the receiver would hand off for this delivery. */
function templateEvent(secret: string): BookingEvent {
  const delivery = meevaDelivery(
    meevaEnvelope({ eventId: 'tpl', bookingId: 'tpl', type: 'booking.created', n: 0 }),
    secret,
  );
  const [event] = meevaProvider.parse(
    {
      headers: delivery.headers,
      query: {},
      body: delivery.body,
      receivedAt: new Date().toISOString(),
    },
    { source: 'default', receivedAt: new Date().toISOString(), bodyHash: 'tpl' },
  );
  if (event?.entity !== 'booking') throw new Error('the Meeva template gave no booking event');
  return event;
}

export async function rawSender(
  target: Extract<LoadTarget, { kind: 'raw' }>,
  payloads: LoadPayloads,
  timeoutMs: number,
): Promise<Sender> {
  if (payloads.kind === 'list') throw new Error('raw signalWithStart needs generated Meeva events');
  const connection =
    target.native === true
      ? await NativeConnection.connect({ address: target.address })
      : await Connection.connect({ address: target.address });
  const client = new Client({ connection, namespace: target.namespace });
  const settings = bookingSettingsFor(loadConfig({}).booking).meeva;
  const template = templateEvent(payloads.secret);
  const send: Send = async (item) => {
    const event: BookingEvent = {
      ...template,
      bookingId: item.bookingId,
      entityId: item.bookingId,
      eventId: item.eventId,
      receivedAt: new Date().toISOString(),
    };
    const key = keyOf(event);
    try {
      await client.withDeadline(Date.now() + timeoutMs, () =>
        client.workflow.signalWithStart(WORKFLOW_TYPES.booking, {
          workflowId: entityWorkflowId(key),
          taskQueue: target.taskQueue,
          args: [
            {
              key: { provider: key.provider, source: key.source, bookingId: key.id },
              ...(settings === undefined ? {} : { settings }),
            },
          ],
          signal: eventSignal,
          signalArgs: [event],
          workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
          workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
          typedSearchAttributes: [
            { key: ProviderSA, value: key.provider },
            { key: SourceSA, value: key.source },
            { key: EntitySA, value: key.entity },
            // as the dispatcher starts a booking: `unknown` until its workflow knows the status
            { key: StatusSA, value: 'unknown' },
          ],
          staticSummary: `${key.entity} ${key.id} (${key.provider}/${key.source})`,
        }),
      );
      return { status: 'ok', ok: true, retryAfter: false };
    } catch (err) {
      return { status: `error:${(err as Error).name}`, ok: false, retryAfter: false };
    }
  };
  return { send, close: () => connection.close() };
}
