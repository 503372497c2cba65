import { z } from 'zod';
import type { CanonicalEvent, ProviderId } from '../events/canonical';
import { UnreadablePayloadError } from '../errors';
import { redactSensitive } from './redact';
import { storableEvents } from './storable';

/** One delivery as it arrived: lower-cased headers, the exact signed bytes, the query string. */
export interface RawWebhook {
  headers: Readonly<Record<string, string | undefined>>;
  query: Readonly<Record<string, string | undefined>>;
  body: Buffer;
  receivedAt: string;
  remoteAddress?: string;
}

/** Who the delivery came in for: the named source and its verification settings. */
export interface SourceContext {
  provider: ProviderId;
  source: string;
  /** Newest first: a rotated secret keeps working until it is removed. Empty with auth none. */
  secrets: readonly string[];
  auth: 'secret' | 'none';
  /** Provider-specific knobs (header name, algorithm, ...), already validated by config. */
  options: Readonly<Record<string, string>>;
}

export interface ProviderSpec<TEnvelope> {
  id: ProviderId;
  /** Throws WebhookError BAD_SIGNATURE / MISSING_SIGNATURE; parses nothing before it passes. */
  verify: (raw: RawWebhook, ctx: SourceContext) => void;
  /** Bytes to a JSON-ish value: JSON for most, XML too for some. Throws on unreadable bytes. */
  decode?: (raw: RawWebhook) => unknown;
  envelope: z.ZodType<TEnvelope>;
  /** Pure; [] = acknowledged and counted, not forwarded. */
  normalise: (envelope: TEnvelope, ctx: NormaliseContext) => CanonicalEvent[];
  /** Removes credentials from a body that goes to quarantine. Default: redactSensitive. */
  redact?: (body: Buffer) => Buffer;
}

export interface NormaliseContext {
  source: string;
  receivedAt: string;
  /** sha256 of the raw body, hex: the stable fallback event id for providers without one. */
  bodyHash: string;
}

export interface ProviderAdapter {
  id: ProviderId;
  verify: (raw: RawWebhook, ctx: SourceContext) => void;
  /** Verified request to events. Throws UnreadablePayloadError when authentic but not understood. */
  parse: (raw: RawWebhook, ctx: NormaliseContext) => CanonicalEvent[];
  /** The body as it may be kept in quarantine: secrets removed, everything else byte for byte. */
  redact: (body: Buffer) => Buffer;
}

export function parseJsonBody(body: Buffer): unknown {
  return JSON.parse(body.toString('utf8')) as unknown;
}

export function defineProvider<T>(spec: ProviderSpec<T>): ProviderAdapter {
  const decode = spec.decode ?? ((raw: RawWebhook) => parseJsonBody(raw.body));
  return {
    id: spec.id,
    verify: spec.verify,
    redact: spec.redact ?? redactSensitive,
    parse: (raw, ctx) => {
      let decoded: unknown;
      try {
        decoded = decode(raw);
      } catch (err) {
        throw new UnreadablePayloadError(`${spec.id}: body is not readable`, { cause: err });
      }
      const parsed = spec.envelope.safeParse(decoded);
      if (!parsed.success) {
        throw new UnreadablePayloadError(
          `${spec.id}: payload not understood: ${z.prettifyError(parsed.error)}`,
          { cause: parsed.error },
        );
      }
      let events: CanonicalEvent[];
      try {
        events = spec.normalise(parsed.data, ctx);
      } catch (err) {
        // normalise is pure over a validated envelope; anything it rejects is a payload we
        // do not understand yet, so it is kept for replay rather than answered with a 5xx.
        throw new UnreadablePayloadError(`${spec.id}: payload not understood`, { cause: err });
      }
      // Text Temporal or Postgres would refuse: free text repaired, an unstorable id quarantined
      // (storable.ts), so no authentic delivery is redelivered or retried for ever.
      const storable = storableEvents(events);
      if ('reason' in storable) throw new UnreadablePayloadError(storable.reason);
      return storable.events;
    },
  };
}
