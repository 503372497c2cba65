// The hand-off: one signalWithStart per event, each bounded by a deadline. signalWithStart is
// atomic and returns once the server has durably recorded the signal; it needs no worker.
import {
  WorkflowExecutionAlreadyStartedError,
  type Client,
  type ClientPlugin,
} from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import { PROVIDER_IDS, type CanonicalEvent, type ProviderId } from '../events/canonical';
import type { BookingSettings } from '../../workflows/booking/settings';
import {
  EntitySA,
  entityWorkflowId,
  eventSignal,
  keyOf,
  ProviderSA,
  QUARANTINE_WORKFLOW_TYPE,
  quarantineDeliverySignal,
  quarantineWorkflowId,
  SourceSA,
  StatusSA,
  WORKFLOW_TYPES,
} from '../../workflows/shared';
import type { QuarantineItem } from '../../workflows/quarantine/types';
import { createClient } from './connection';
import { plainConnection } from './connectionConfig';
import type { Dispatcher } from './dispatcherTypes';

export interface TemporalDispatcherOptions {
  client: Client;
  taskQueue: string;
  timeoutMs: number;
  /**
   * Set the UI's search attributes at start (default). Off only for a server where they cannot
   * be registered (the time-skipping test server); workflows then skip their upserts too.
   */
  searchAttributes?: boolean;
  /** Business timings a new booking workflow starts with; the workflow's defaults otherwise. */
  bookingSettings?: Partial<Record<ProviderId, Partial<BookingSettings>>>;
}

/** Platforms that report check-ins: only their bookings can be marked no-show. */
const CHECK_IN_PROVIDERS: ReadonlySet<ProviderId> = new Set([
  'zaui',
  'bookingexperts',
  'standardwebhooks',
]);

/** Per platform: the configured timings, with the no-show timer off where no check-in exists. */
export function bookingSettingsFor(
  timings: Partial<BookingSettings>,
): Partial<Record<ProviderId, Partial<BookingSettings>>> {
  return Object.fromEntries(
    PROVIDER_IDS.map((p) => [
      p,
      CHECK_IN_PROVIDERS.has(p) ? timings : { ...timings, noShowGraceMs: 0 },
    ]),
  );
}

function searchAttributes(provider: string, source: string, entity: string, status: string) {
  return [
    { key: ProviderSA, value: provider },
    { key: SourceSA, value: source },
    { key: EntitySA, value: entity },
    { key: StatusSA, value: status },
  ];
}

export function createTemporalDispatcher(options: TemporalDispatcherOptions): Dispatcher {
  const { client, taskQueue, timeoutMs, bookingSettings: settings } = options;
  const withAttributes = options.searchAttributes ?? true;
  // The gRPC deadline does not cover connecting to a server that is down (seen: 503 after ~3 s
  // with a 2 s deadline), so a timer bounds the whole call too: the provider is answered on time
  // and redelivers; a call that lands late anyway is deduplicated by the workflow.
  const withDeadline = <T>(fn: () => Promise<T>): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new Error(`the Temporal hand-off took longer than ${timeoutMs} ms`));
      }, timeoutMs);
    });
    return Promise.race([client.withDeadline(Date.now() + timeoutMs, fn), expired]).finally(() => {
      clearTimeout(timer);
    });
  };

  async function handOff(event: CanonicalEvent): Promise<void> {
    const key = keyOf(event);
    const workflowId = entityWorkflowId(key);
    await withDeadline(() =>
      client.workflow.signalWithStart(WORKFLOW_TYPES[event.entity], {
        workflowId,
        taskQueue,
        args: [
          event.entity === 'booking'
            ? {
                key: { provider: key.provider, source: key.source, bookingId: key.id },
                ...(settings?.[key.provider] === undefined
                  ? {}
                  : { settings: settings[key.provider] }),
              }
            : { key },
        ],
        signal: eventSignal,
        signalArgs: [event],
        // A running booking gets the signal; a closed one (ended or cancelled long ago) starts a
        // fresh run that reconciles from the provider's API.
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
        ...(withAttributes
          ? {
              // A booking starts as its workflow's state does, `unknown`: nothing to upsert
              // until its status is known. Entities are `pending` until their first write.
              typedSearchAttributes: searchAttributes(
                key.provider,
                key.source,
                key.entity,
                key.entity === 'booking' ? 'unknown' : 'pending',
              ),
            }
          : {}),
        staticSummary: `${key.entity} ${key.id} (${key.provider}/${key.source})`,
      }),
    );
  }

  return {
    async dispatch(events) {
      // All or nothing from the provider's point of view: a single failure answers 503 and the
      // provider redelivers the whole request; the events that did land are deduplicated.
      await Promise.all(events.map(handOff));
    },
    async quarantine(item: QuarantineItem) {
      try {
        await withDeadline(() =>
          client.workflow.signalWithStart(QUARANTINE_WORKFLOW_TYPE, {
            workflowId: quarantineWorkflowId(item),
            taskQueue,
            args: [item],
            signal: quarantineDeliverySignal,
            signalArgs: [{ receivedAt: item.receivedAt }],
            workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
            workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
            ...(withAttributes
              ? {
                  typedSearchAttributes: searchAttributes(
                    item.provider,
                    item.source,
                    'quarantine',
                    'quarantined',
                  ),
                }
              : {}),
            staticSummary: `quarantined ${item.provider}/${item.source} delivery`,
            staticDetails: item.reason.slice(0, 1000),
          }),
        );
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
    },
    async ready() {
      try {
        await withDeadline(() => client.workflowService.getSystemInfo({}));
        return true;
      } catch {
        return false;
      }
    },
  };
}

/** A client for a plaintext address (tests, tools); Hookline itself uses ./connection.ts. */
export function createTemporalClient(options: {
  address: string;
  namespace: string;
  /** The OpenTelemetry plugin when tracing is on: signalWithStart joins the request's trace. */
  plugins?: ClientPlugin[];
}): Client {
  return createClient(
    { namespace: options.namespace, connection: plainConnection(options.address) },
    { plugins: options.plugins ?? [] },
  );
}
