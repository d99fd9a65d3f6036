import type { Sampler, SpanExporter } from '@opentelemetry/sdk-trace';

/**
 * Where the Jaeger exporter sends spans: the collector over HTTP (Thrift), or the agent over UDP.
 *
 * Deprecated by Jaeger: it documents its Thrift-over-HTTP endpoint (:14268) and the agent as kept
 * only for backwards compatibility; OTLP is its native ingest and this package's default exporter.
 * Use `exporter: 'jaeger'` for collectors that take nothing else. The agent (UDP) path needs the
 * optional peer `@opentelemetry/exporter-jaeger`, which exists for OpenTelemetry JS 2.x only.
 */
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

/**
 * TLS material for an `https` OTLP endpoint: each a PEM file path or its contents. Files are read
 * once, when `startTracing` runs; one that cannot be read is reported through diag and no OTLP
 * exporter is built (spans are then not exported).
 */
export interface OtlpTlsOptions {
  /** Certificate authority to trust instead of Node's bundled ones (a private CA). Default: `OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE` / `OTEL_EXPORTER_OTLP_CERTIFICATE`. */
  ca?: string | Buffer;
  /** Client certificate chain, for mutual TLS. Default: `OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE` / `OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE`. */
  cert?: string | Buffer;
  /** Client private key, for mutual TLS. Default: `OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY` / `OTEL_EXPORTER_OTLP_CLIENT_KEY`. */
  key?: string | Buffer;
}

/**
 * OTLP over HTTP with protobuf bodies (`application/x-protobuf`), encoded by this package as each
 * span ends: the default exporter. Each setting falls back to the specification's variable for
 * traces (`OTEL_EXPORTER_OTLP_TRACES_*`), then to the generic one (`OTEL_EXPORTER_OTLP_*`).
 */
export interface OtlpExportOptions {
  /**
   * Traces endpoint, used as given. Default: `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (as given), else
   * `OTEL_EXPORTER_OTLP_ENDPOINT` with `/v1/traces` appended, else `http://127.0.0.1:4318/v1/traces`
   * (a local Jaeger's OTLP/HTTP port).
   */
  url?: string;
  /**
   * Extra HTTP headers (for example an auth token); merged over `OTEL_EXPORTER_OTLP_TRACES_HEADERS` /
   * `OTEL_EXPORTER_OTLP_HEADERS` (`key=value,key2=value2`, percent-encoded).
   */
  headers?: Record<string, string>;
  /** `gzip` compresses each request body. Default: `OTEL_EXPORTER_OTLP_TRACES_COMPRESSION` / `OTEL_EXPORTER_OTLP_COMPRESSION`, else `none`. */
  compression?: 'gzip' | 'none';
  /** Longest one request may take, in ms. Default: `OTEL_EXPORTER_OTLP_TRACES_TIMEOUT` / `OTEL_EXPORTER_OTLP_TIMEOUT`, else 10,000 or `batch.exportTimeoutMillis`, whichever is shorter. */
  timeoutMillis?: number;
  /** TLS for an `https` endpoint: a private CA, a client certificate and key for mutual TLS. */
  tls?: OtlpTlsOptions;
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
 * cost memory only while the collector fails: the OTLP (default) and Jaeger collector paths hold the
 * encoded request bodies, deflated (about 45–60 bytes a Kafka span; 480 uncompressed in OTLP, 780 in
 * Thrift), other exporters the span objects (estimated at 1–2 KB each).
 */
export interface RetryOptions {
  /**
   * Most bytes held for resending; when a new failed batch does not fit, the oldest held ones are
   * given up and counted as `lostSpans`. Default 256 MiB: on the OTLP and Jaeger collector paths, minutes of
   * an outage at 12,000 messages/s (two spans each; a 15 s outage holds about 25 MB); with other
   * exporters about 7 s of it.
   */
  maxBytes?: number;
  /**
   * OTLP and Jaeger collector paths: deflate held bodies in Node's thread pool, off the event loop
   * (level 1, about 10–15× smaller, ~1.3 µs of pool time a span). `false` holds them as they are: no
   * compression work during an outage, that many times the memory. Default true.
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
   * Where spans go: `'otlp'` (default: OTLP/HTTP protobuf, see {@link OtlpExportOptions}), `'jaeger'`
   * (Thrift over HTTP, for collectors that take nothing else; deprecated by Jaeger), or any
   * `SpanExporter`. When this is not given and only `jaeger` settings are, Jaeger it is; otherwise
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
