// OpenTelemetry: one trace from the webhook request through signalWithStart and the booking's
// workflow to each activity. Off unless OTEL_EXPORTER_OTLP_ENDPOINT is set; tests pass their
// own span processor (an in-memory exporter).
import { context, propagation, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { OpenTelemetryPlugin } from '@temporalio/interceptors-opentelemetry';

/**
 * Context propagation is process-wide in OpenTelemetry's API (the Temporal interceptors read the
 * active context and inject it with the global propagator). Setting it twice is a no-op.
 */
function installContextPropagation(): void {
  // The active span follows async calls, so the client's signalWithStart span joins the request's.
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
}

export interface Tracing {
  /** For the receiver's request spans (createApp's `tracer`). */
  tracer: Tracer;
  /** For `new Client({ plugins })`, `Worker.create({ plugins })` and `bundleWorkflowCode`. */
  plugin: OpenTelemetryPlugin;
  /** Flushes what is buffered; call after the worker and the receiver have stopped. */
  shutdown(): Promise<void>;
}

/** The tracer provider is ours, not registered globally: nothing else in the process exports. */
export function createTracing(options: {
  serviceName: string;
  spanProcessor: SpanProcessor;
}): Tracing {
  installContextPropagation();
  const resource = new Resource({ 'service.name': options.serviceName });
  const provider = new BasicTracerProvider({ resource, spanProcessors: [options.spanProcessor] });
  const tracer = provider.getTracer('hookline');
  return {
    tracer,
    plugin: new OpenTelemetryPlugin({ resource, spanProcessor: options.spanProcessor, tracer }),
    shutdown: () => provider.shutdown(),
  };
}

/** OTLP over HTTP to `<endpoint>/v1/traces`, batched; undefined (tracing off) without an endpoint. */
export function createOtlpTracing(
  endpoint: string | undefined,
  serviceName: string,
): Tracing | undefined {
  if (endpoint === undefined) return undefined;
  const exporter = new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, '')}/v1/traces` });
  return createTracing({ serviceName, spanProcessor: new BatchSpanProcessor(exporter) });
}
