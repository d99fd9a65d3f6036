import { context, diag, metrics, propagation, trace, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base';
import type { MeterProvider } from '@opentelemetry/sdk-metrics';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { tracerProviderRegistered } from '../global-telemetry';
import { SCOPE_NAME, VERSION } from '../version';
import { CountingExporter, EndedSpanCounter, createExporter, type ExportStats } from './exporter';
import { createMeterProvider, metricsChoice } from './metrics-export';
import { buildResource } from './resource';
import type { TracingOptions } from './tracing-options';

/** What {@link startTracing} returns. */
export interface Tracing {
  /** The tracer provider (pass it as `tracerProvider` to the middleware when `register: false`). */
  provider: NodeTracerProvider;
  /** The meter provider exporting the messaging metrics, when `metrics` asked for one. */
  meterProvider: MeterProvider | undefined;
  /** A tracer of this package's scope, for spans of your own. */
  tracer: Tracer;
  /** Whether this call registered the provider globally (false when another was registered first). */
  registered: boolean;
  /** Export outcomes so far: spans delivered, spans lost to failed exports. */
  exportStats(): ExportStats;
  /** Exports every finished span now. Never rejects: export failures are counted instead. */
  forceFlush(): Promise<void>;
  /** Flushes every pending span, then stops the provider. Safe to call more than once. */
  shutdown(): Promise<void>;
}

function sampler(options: TracingOptions): ParentBasedSampler | undefined {
  if (options.sampler) return undefined;
  if (options.sampleRatio === undefined) return undefined; // the SDK reads OTEL_TRACES_SAMPLER(_ARG)
  const ratio = Math.min(1, Math.max(0, options.sampleRatio));
  return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
}

/**
 * Batching defaults sized for Kafka: one message makes two or three spans and consumers read in
 * bursts, so the SDK's 2,048-span queue overflows within a fraction of a second at a few thousand
 * messages/s (bench/e2e.ts measured it dropping a third of the spans at ~3,000 msg/s, and a 32k queue still
 * dropping 9% behind the Jaeger exporter at ~8,000 msg/s). A larger queue and batches
 * absorb the bursts. Explicit options win, then OTEL_BSP_* variables, then these.
 */
const KAFKA_BATCH_DEFAULTS = {
  maxQueueSize: ['OTEL_BSP_MAX_QUEUE_SIZE', 65536],
  maxExportBatchSize: ['OTEL_BSP_MAX_EXPORT_BATCH_SIZE', 2048],
  scheduledDelayMillis: ['OTEL_BSP_SCHEDULE_DELAY', 1000],
  exportTimeoutMillis: ['OTEL_BSP_EXPORT_TIMEOUT', 30000],
} as const;

function batchConfig(options: TracingOptions): Required<NonNullable<TracingOptions['batch']>> {
  const out = {} as Required<NonNullable<TracingOptions['batch']>>;
  for (const [key, [env, fallback]] of Object.entries(KAFKA_BATCH_DEFAULTS) as [keyof typeof KAFKA_BATCH_DEFAULTS, readonly [string, number]][]) {
    const fromEnv = Number(process.env[env]);
    out[key] = options.batch?.[key] ?? (process.env[env] && Number.isFinite(fromEnv) ? fromEnv : fallback);
  }
  return out;
}

/**
 * Sets tracing up in one call: a Node tracer provider with the service's resource, a
 * `BatchSpanProcessor` exporting to Jaeger (or OTLP, or your exporter), parent-based sampling, and,
 * registered globally, the W3C trace-context + baggage propagators and an AsyncLocalStorage context
 * manager. Call `shutdown()` before the process exits to flush pending spans.
 *
 * If the application already registered a tracer provider, this one is not registered over it:
 * `registered` is false and a warning goes to the diagnostic logger; the middleware keeps using the
 * existing global provider unless you pass this one as `tracerProvider`.
 *
 * @example
 * const tracing = startTracing({ serviceName: 'order-service' });
 * // ... produce and consume ...
 * await tracing.shutdown();
 */
export function startTracing(options: TracingOptions = {}): Tracing {
  const resource = buildResource(options);
  const batch = batchConfig(options);
  const { exporter, label } = createExporter(options, resource, batch.exportTimeoutMillis);
  const counting = new CountingExporter(exporter, label);
  const ended = new EndedSpanCounter();
  const batchProcessor = new BatchSpanProcessor(counting, batch);
  const provider = new NodeTracerProvider({
    resource,
    sampler: options.sampler ?? sampler(options),
    spanProcessors: [ended, batchProcessor],
  });
  // Dropped = ended − exported − failed holds only when nothing is queued or in flight, i.e. right
  // after a flush; the SDK keeps its queue private, so the figure is taken then.
  let dropped = 0;
  const afterFlush = (): void => {
    const { exportedSpans, failedSpans } = counting.stats;
    dropped = Math.max(0, ended.ended - exportedSpans - failedSpans);
  };
  const exportStats = (): ExportStats => ({ endedSpans: ended.ended, ...counting.stats, droppedSpans: dropped });

  const metricsOptions = metricsChoice(options.metrics);
  const meterProvider = metricsOptions ? createMeterProvider(metricsOptions, resource) : undefined;
  let meterRegistered = false;
  if (meterProvider && options.register !== false) {
    meterRegistered = metrics.setGlobalMeterProvider(meterProvider);
    if (!meterRegistered) {
      diag.warn('kafkajs-tracing: a meter provider is already registered; pass tracing.meterProvider as meterProvider to the middleware to use this one.');
    }
  }

  let registered = false;
  if (options.register !== false) {
    if (tracerProviderRegistered()) {
      diag.warn('kafkajs-tracing: a tracer provider is already registered; startTracing did not replace it. Pass tracing.provider as tracerProvider to use this one.');
    } else {
      const contextManager = new AsyncLocalStorageContextManager().enable();
      context.setGlobalContextManager(contextManager);
      propagation.setGlobalPropagator(
        new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
      );
      registered = trace.setGlobalTracerProvider(provider);
    }
  }

  let shutdownPromise: Promise<void> | undefined;
  const tracing: Tracing = {
    provider,
    meterProvider,
    tracer: provider.getTracer(SCOPE_NAME, VERSION),
    registered,
    exportStats,
    forceFlush: () =>
      Promise.all([provider.forceFlush(), meterProvider?.forceFlush()])
        .catch((err: unknown) => diag.warn(`kafkajs-tracing: flush failed: ${String(err)}`))
        .then(afterFlush),
    shutdown: () => {
      shutdownPromise ??= Promise.all([provider.shutdown(), meterProvider?.shutdown()])
        .catch((err: unknown) => diag.warn(`kafkajs-tracing: shutdown failed: ${String(err)}`))
        .then(afterFlush)
        .finally(() => {
          if (registered) {
            trace.disable();
            propagation.disable();
            context.disable();
          }
          if (meterRegistered) metrics.disable();
        });
      return shutdownPromise;
    },
  };
  if (options.flushOnSignals) flushOnSignals(tracing);
  return tracing;
}

/**
 * On SIGTERM/SIGINT, flush and shut tracing down; then, if nobody else listens for the signal, end
 * the process as the signal would have (re-raised with the default action).
 */
function flushOnSignals(tracing: Tracing): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    const onSignal = (): void => {
      void tracing.shutdown().finally(() => {
        if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
      });
    };
    process.once(signal, onSignal);
  }
}
