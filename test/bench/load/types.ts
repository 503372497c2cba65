// What the parent asks of the load generator process, and what it answers. Plain JSON: it crosses
// the IPC channel of child_process.fork.

/** One prepared request, sent as-is (cycled through when the list is shorter than the run). */
export interface PreparedRequest {
  path: string;
  headers: Record<string, string>;
  bodyBase64: string;
}

export type LoadTarget =
  /** The receiver over HTTP/1.1 with keep-alive sockets. */
  | { kind: 'http'; url: string }
  /** signalWithStart straight from a Node client: the ceiling the receiver is held against. */
  | {
      kind: 'raw';
      address: string;
      namespace: string;
      taskQueue: string;
      /** The Rust-core NativeConnection (as workers use) instead of grpc-js. */
      native?: boolean;
    };

export type LoadPayloads =
  /**
   * Signed Meeva deliveries generated per request: booking ids `${prefix}${n % bookings}` (a new
   * booking per request when `bookings` is unset), one unique event id per request.
   */
  | {
      kind: 'meeva';
      secret: string;
      prefix: string;
      bookings?: number;
      /** booking.created first, then booking.rescheduled of the same booking (hot booking). */
      sequence?: boolean;
    }
  | { kind: 'list'; requests: PreparedRequest[] }
  /** Signed Meeva deliveries in the order given (the cost benchmark's mix), signed when sent. */
  | { kind: 'meevaPlan'; secret: string; deliveries: PlannedDelivery[] };

/** One delivery of a planned mix: the `n`-th event of its booking (n orders its versions). */
export interface PlannedDelivery {
  bookingId: string;
  eventId: string;
  n: number;
}

export type LoadPace =
  /** `concurrency` loops, each sending the next request when the previous one is answered. */
  | { kind: 'closed'; concurrency: number; durationMs: number }
  /** As closed, until `count` requests were sent (or `maxDurationMs` passed). */
  | { kind: 'count'; concurrency: number; count: number; maxDurationMs?: number }
  /**
   * Open loop: requests are sent on a schedule whatever the answers, latency counted from the
   * scheduled time (no coordinated omission). Past `maxInFlight` a request is counted as backlog.
   */
  | { kind: 'open'; stages: { rate: number; durationMs: number }[]; maxInFlight: number };

export interface LoadJob {
  target: LoadTarget;
  payloads: LoadPayloads;
  pace: LoadPace;
  /** A request not answered by then counts as `timeout` (a platform gives up too). */
  timeoutMs: number;
  /** Keep one record per request (end-to-end latency, sampling, the overload timeline). */
  record?: boolean;
  /**
   * Closed loops only: a refused request (not 2xx) is sent again, as a platform redelivers, up to
   * `attempts` sends in all, `delayMs` apart; the refusals are counted in `statuses` as
   * `redelivered <status>`; latency runs from the first send to the answer of the last.
   */
  redeliver?: { attempts: number; delayMs: number };
  /** Tell the parent the index of each request just before it is sent (a fake API follows). */
  notifySent?: boolean;
}

export interface LoadRecord {
  bookingId: string;
  eventId: string;
  /** Epoch ms the request was scheduled (open loop) or sent (closed loop). */
  scheduledAt: number;
  status: string;
  ok: boolean;
  retryAfter: boolean;
  /** NaN when no answer came (timeout, error, backlog). */
  latencyMs: number;
}

export interface LoadResult {
  target: LoadTarget['kind'];
  sent: number;
  ok: number;
  elapsedMs: number;
  /** Acknowledged (2xx / signal recorded) per second over the run. */
  throughput: number;
  latency: { count: number; p50: number; p90: number; p99: number; max: number };
  /** '200', '503', 'timeout', 'error', 'backlog', ... */
  statuses: Record<string, number>;
  /** 429 and 503 answers that carried Retry-After. */
  retryAfter: number;
  /** Epoch ms the run began. */
  startedAt: number;
  records?: LoadRecord[];
  errors: string[];
}

export type ToLoadChild = { type: 'run'; job: LoadJob } | { type: 'exit' };
export type FromLoadChild =
  | { type: 'ready' }
  | { type: 'result'; result: LoadResult }
  | { type: 'failed'; error: string }
  | { type: 'sent'; n: number };
