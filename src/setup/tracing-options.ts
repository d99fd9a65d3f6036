import type { Sampler, SpanExporter } from '@opentelemetry/sdk-trace';

/** Where the Jaeger exporter sends spans: the collector over HTTP, or the agent over UDP. */
export interface JaegerExportOptions {
  /**
   * Collector endpoint (Thrift over HTTP). Default: `OTEL_EXPORTER_JAEGER_ENDPOINT`, else
   * `http://127.0.0.1:14268/api/traces` unless an agent host is configured.
   */
  endpoint?: string;
  /** Agent host for UDP export (used when no endpoint is set). Default: `OTEL_EXPORTER_JAEGER_AGENT_HOST`. */
  agentHost?: string;
  /** Agent port for UDP export. Default: `OTEL_EXPORTER_JAEGER_AGENT_PORT`, else 6832. */
  agentPort?: number;
}

/** OTLP over HTTP (protobuf-free JSON encoding of `@opentelemetry/exporter-trace-otlp-http`). */
export interface OtlpExportOptions {
  /** Traces endpoint. Default: `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` / `OTEL_EXPORTER_OTLP_ENDPOINT`, else `http://localhost:4318/v1/traces`. */
  url?: string;
  /** Extra HTTP headers (for example an auth token). */
  headers?: Record<string, string>;
}

/** Batching of the `BatchSpanProcessor`; unset fields fall back to `OTEL_BSP_*`, then to the defaults below, sized for Kafka. */
export interface BatchOptions {
  /** Most finished spans waiting for export; beyond it spans are dropped and counted. Default 65,536. */
  maxQueueSize?: number;
  /** Most spans per export request. Default 2,048. */
  maxExportBatchSize?: number;
  /** Longest wait before a partial batch is exported, in ms. Default 1,000. */
  scheduledDelayMillis?: number;
  /** How long one export may take before it is abandoned and counted as failed, in ms. Default 30,000. */
  exportTimeoutMillis?: number;
}

/**
 * Holding and resending batches whose export failed (collector down or restarting). Held batches
 * cost memory only while the collector fails: the Jaeger collector path holds the encoded request
 * bodies, deflated (about 60 bytes a Kafka span; 780 uncompressed), other exporters the span objects
 * (estimated at 1–2 KB each).
 */
export interface RetryOptions {
  /**
   * Most bytes held for resending; when a new failed batch does not fit, the oldest held ones are
   * given up and counted as `lostSpans`. Default 256 MiB: on the Jaeger collector path, minutes of
   * an outage at 12,000 messages/s (two spans each; a 15 s outage holds about 25 MB); with other
   * exporters about 7 s of it.
   */
  maxBytes?: number;
  /**
   * Jaeger collector path: deflate held bodies in Node's thread pool, off the event loop (level 1,
   * about 13× smaller, ~1.3 µs of pool time a span). `false` holds them as they are: no compression
   * work during an outage, 13 times the memory. Default true.
   */
  compress?: boolean;
  /** First wait before resending after a failure, in ms; doubled after each failed resend. Default 500. */
  initialBackoffMillis?: number;
  /** Longest wait between resends, in ms. Default 5,000. */
  maxBackoffMillis?: number;
}

/** Messaging metrics on a Prometheus scrape endpoint (`@opentelemetry/exporter-prometheus`). */
export interface PrometheusMetricsOptions {
  /** Selects the Prometheus scrape endpoint. */
  exporter: 'prometheus';
  /** Port of the scrape endpoint. Default: `OTEL_EXPORTER_PROMETHEUS_PORT`, else 9464. */
  port?: number;
  /** Interface to listen on. Default: `OTEL_EXPORTER_PROMETHEUS_HOST`, else `localhost` (the specification's default); `0.0.0.0` for all interfaces. */
  host?: string;
  /** Path of the scrape endpoint. Default `/metrics`. */
  endpoint?: string;
}

/** Messaging metrics pushed over OTLP/HTTP (`@opentelemetry/exporter-metrics-otlp-http`). */
export interface OtlpMetricsOptions {
  /** Selects push over OTLP/HTTP. */
  exporter: 'otlp';
  /** Metrics endpoint. Default: `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT` / `OTEL_EXPORTER_OTLP_ENDPOINT`, else `http://localhost:4318/v1/metrics`. */
  url?: string;
  /** Extra HTTP headers (for example an auth token). */
  headers?: Record<string, string>;
  /** How often to push, in milliseconds. Default 60,000. */
  exportIntervalMillis?: number;
}

/** Where the messaging metrics go. */
export type MetricsOptions = PrometheusMetricsOptions | OtlpMetricsOptions;

/** Options of {@link startTracing}. Explicit options win over the standard `OTEL_*` variables. */
export interface TracingOptions {
  /** `service.name` of the resource. Default: `OTEL_SERVICE_NAME`, else `unknown_service:node`. */
  serviceName?: string;
  /** `service.version` of the resource. */
  serviceVersion?: string;
  /** Extra resource attributes (merged over `OTEL_RESOURCE_ATTRIBUTES`). */
  resourceAttributes?: Record<string, string | number | boolean>;
  /**
   * Where spans go: `'jaeger'` (default), `'otlp'`, or any `SpanExporter`. When this is not given,
   * `OTEL_TRACES_EXPORTER` decides: `jaeger`, `otlp`, `console`, a list of them (`otlp,console`), or
   * `none` (spans are made and propagated but not exported); unknown values are warned about once.
   */
  exporter?: 'jaeger' | 'otlp' | SpanExporter;
  /** Jaeger exporter settings. */
  jaeger?: JaegerExportOptions;
  /** OTLP exporter settings. */
  otlp?: OtlpExportOptions;
  /**
   * Fraction of new traces to sample (0..1), parent-based: a message whose producer was sampled stays
   * sampled. Default: `OTEL_TRACES_SAMPLER`/`OTEL_TRACES_SAMPLER_ARG`, else parent-based always-on.
   */
  sampleRatio?: number;
  /** A sampler of your own; wins over `sampleRatio`. */
  sampler?: Sampler;
  /**
   * Make spans as small objects that hand themselves to the export on `end()` (default `true`), or,
   * with `false`, as the SDK's `Span` objects. Both export the same fields; the small ones cost less
   * CPU and garbage, and their start times have sub-millisecond precision (the SDK's are whole
   * milliseconds). `false` is for a processor or tool that needs the SDK's own span class.
   */
  leanSpans?: boolean;
  /** BatchSpanProcessor settings. */
  batch?: BatchOptions;
  /**
   * Resending of failed exports (see {@link RetryOptions}); on by default, `false` drops the spans
   * of a failed export (counted as `lostSpans`). A flush or shutdown resends what is held, within
   * `batch.exportTimeoutMillis`.
   */
  retry?: RetryOptions | false;
  /**
   * Register the provider, the propagator (`OTEL_PROPAGATORS`: `tracecontext`, `baggage`, `b3`,
   * `b3multi`, `jaeger`, `none`; default W3C trace context + baggage) and an AsyncLocalStorage
   * context manager globally, each only where the application registered none (default `true`). With `false` the provider is only returned: pass it
   * as `tracerProvider` to the middleware (several services in one process, tests).
   */
  register?: boolean;
  /**
   * Flush and shut down on SIGTERM/SIGINT (opt-in). If no other listener handles the signal, the
   * process then ends as the signal would have ended it.
   */
  flushOnSignals?: boolean;
  /**
   * Export the middleware's messaging metrics: `{ exporter: 'prometheus', port: 9464 }` serves a
   * scrape endpoint, `{ exporter: 'otlp' }` pushes them. Off by default (`OTEL_METRICS_EXPORTER=prometheus`
   * or `otlp` turns it on when this option is not given; `false` keeps it off regardless).
   */
  metrics?: MetricsOptions | false;
}
