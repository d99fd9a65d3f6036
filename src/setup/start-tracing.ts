import { diag, type Tracer } from '@opentelemetry/api';
import { AlwaysOffSampler, BatchSpanProcessor, TraceIdRatioBasedSampler, TracerProvider, type Sampler, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace';
import type { MeterProvider } from '@opentelemetry/sdk-metrics';
import { SCOPE_NAME, VERSION } from '../version';
import { EndedSpanCounter, createExporter, noDeliveries, type ExportStats } from './exporter';
import { RetryingExporter } from './retrying-exporter';
import { createMeterProvider, metricsChoice } from './metrics-export';
import { buildResource } from './resource';
import type { BatchOptions, RetryOptions, TracingOptions } from './tracing-options';
import { JaegerHttpExporter } from './jaeger-exporter';
import { EncodingSpanProcessor } from './encoding-span-processor';
import { OtlpHttpCollector } from './otlp/http-collector';
import { keepRandomTraceFlag } from './random-trace-flag';
import { numberFromEnv, propagatorFromEnv, samplerFromEnv, sdkDisabledByEnv, spanLimitsFromEnv } from './env-config';
import { LeanTracerProvider } from './lean/lean-provider';
import { parentBased, ratioDecision } from './lean/parent-decides';
import { registerGlobals, unregisterGlobals, type GlobalRegistrations } from './global-registrations';

/** What {@link startTracing} returns. */
export interface Tracing {
  /** The tracer provider (pass it as `tracerProvider` to the middleware when `register: false`). */
  provider: TracerProvider;
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

function sampler(options: TracingOptions): Sampler {
  if (options.sampleRatio === undefined) return samplerFromEnv();
  const ratio = Math.min(1, Math.max(0, options.sampleRatio));
  return parentBased(new TraceIdRatioBasedSampler(ratio), ratioDecision(ratio));
}

/**
 * Batching defaults sized for Kafka: one message makes two or three spans and consumers read in
 * bursts, so the SDK's 2,048-span queue overflows within a fraction of a second at a few thousand
 * messages/s (bench/e2e.ts measured it dropping a third of the spans at ~3,000 msg/s, and a 32k queue still
 * dropping 9% behind the Jaeger exporter at ~8,000 msg/s). A larger queue and batches
 * absorb the bursts. Explicit options win, then OTEL_BSP_* variables (blank ones count as unset), then these.
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
    out[key] = options.batch?.[key] ?? numberFromEnv(env) ?? fallback;
  }
  return out;
}

/** The span processors `startTracing` exports through, and the counts they keep. */
interface ExportPipeline {
  processors: SpanProcessor[];
  stats(): ExportStats;
  /** Called after each flush and at shutdown: the moment queue figures are final. */
  afterFlush(): void;
}

/**
 * An OTLP/HTTP collector (the default) or the Jaeger collector over HTTP gets {@link EncodingSpanProcessor},
 * which encodes spans as they end; any other exporter the SDK's `BatchSpanProcessor` in front of the
 * retrying wrapper.
 */
function exportPipeline(exporter: SpanExporter | undefined, label: string, batch: Required<BatchOptions>, retry: RetryOptions | false | undefined): ExportPipeline {
  if (!exporter) return { processors: [], stats: () => ({ ...noDeliveries(), endedSpans: 0 }), afterFlush: () => undefined };
  if (exporter instanceof OtlpHttpCollector || exporter instanceof JaegerHttpExporter) {
    const processor = new EncodingSpanProcessor(exporter, label, batch, retry);
    return { processors: [processor], stats: () => processor.stats(), afterFlush: () => undefined };
  }
  const counting = new RetryingExporter(exporter, label, retry, batch.exportTimeoutMillis, batch.maxQueueSize);
  const ended = new EndedSpanCounter();
  const bsp = new BatchSpanProcessor({ exporter: counting, ...batch });
  // Dropped = ended − exported − lost − held holds only when nothing is queued or in flight, i.e. right
  // after a flush; the SDK keeps its queue private, so the figure is taken then.
  let dropped = 0;
  return {
    // The processor flushes its queue; then the held batches get their resend.
    processors: [ended, { onStart: () => undefined, onEnd: (s) => bsp.onEnd(s), forceFlush: () => bsp.forceFlush().then(() => counting.forceFlush()), shutdown: () => bsp.shutdown() }],
    stats: () => ({ endedSpans: ended.ended, ...counting.stats, droppedSpans: dropped }),
    afterFlush: () => {
      const { exportedSpans, lostSpans, heldSpans } = counting.stats;
      dropped = Math.max(0, ended.ended - exportedSpans - lostSpans - heldSpans);
    },
  };
}

/** What startTracing returns under `OTEL_SDK_DISABLED=true`: every method works and does nothing. */
function disabledTracing(): Tracing {
  const provider = new TracerProvider({ sampler: new AlwaysOffSampler() });
  return {
    provider,
    meterProvider: undefined,
    tracer: provider.getTracer(SCOPE_NAME, VERSION),
    registered: false,
    exportStats: () => ({ ...noDeliveries(), endedSpans: 0 }),
    forceFlush: () => Promise.resolve(),
    shutdown: () => provider.shutdown().catch(() => undefined),
  };
}

/**
 * Sets tracing up in one call: a Node tracer provider with the service's resource, a
 * processor exporting over OTLP/HTTP to the local Jaeger (or where `otlp`/`OTEL_EXPORTER_OTLP_*` say; or
 * Jaeger Thrift, or your exporter), parent-based sampling, and,
 * registered globally, the propagators of `OTEL_PROPAGATORS` (default W3C trace context + baggage)
 * and an AsyncLocalStorage context manager. Call `shutdown()` before the process exits to flush
 * pending spans.
 *
 * Only empty global slots are filled: if the application already registered a tracer provider, a
 * propagator or a context manager, that one stays (for the provider, `registered` is false and a
 * warning goes to the diagnostic logger; pass this one as `tracerProvider` to use it). `shutdown()`
 * empties only the slots this call filled. With `OTEL_SDK_DISABLED=true` nothing is set up and the
 * returned handle does nothing.
 *
 * @example
 * const tracing = startTracing({ serviceName: 'order-service' });
 * // ... produce and consume ...
 * await tracing.shutdown();
 */
export function startTracing(options: TracingOptions = {}): Tracing {
  if (sdkDisabledByEnv()) return disabledTracing();
  const resource = buildResource(options);
  const batch = batchConfig(options);
  const { exporter, label } = createExporter(options, resource, batch.exportTimeoutMillis);
  const pipeline = exportPipeline(exporter, label, batch, options.retry);
  const providerConfig = {
    resource,
    sampler: options.sampler ?? sampler(options),
    spanLimits: spanLimitsFromEnv(),
    // OTEL_TRACES_EXPORTER=none: spans are still made and propagated, only not exported.
    spanProcessors: pipeline.processors,
  };
  // Every processor here is startTracing's own and takes any ReadableSpan: the lean spans serve
  // them, and keep the random trace-id flag themselves.
  const provider = options.leanSpans === false ? new TracerProvider(providerConfig) : new LeanTracerProvider(providerConfig);
  if (!(provider instanceof LeanTracerProvider)) {
    // W3C Level 2: a continued trace keeps its random trace-id flag, whichever tracer the spans come from.
    const getTracer = provider.getTracer.bind(provider);
    provider.getTracer = (...args: Parameters<typeof getTracer>) => keepRandomTraceFlag(getTracer(...args));
  }
  const exportStats = pipeline.stats;
  const afterFlush = pipeline.afterFlush;

  const metricsOptions = metricsChoice(options.metrics);
  const meterProvider = metricsOptions ? createMeterProvider(metricsOptions, resource) : undefined;
  const made: GlobalRegistrations =
    options.register === false
      ? { tracerProvider: false, meterProvider: false, propagator: false, contextManager: false }
      : registerGlobals(provider, meterProvider, propagatorFromEnv());
  const registered = made.tracerProvider;

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
        .finally(() => unregisterGlobals(made));
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
