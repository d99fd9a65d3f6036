/**
 * `kafkajs-tracing/setup`: one call that sets up the OpenTelemetry SDK for a Kafka service: tracer
 * provider, span processor sized for Kafka, export over OTLP (or Jaeger Thrift), and optionally the
 * messaging metrics' export.
 *
 * Its own entry point because it is the only part of the package that needs the SDK and the
 * exporters: an application that already runs the OpenTelemetry NodeSDK imports the middleware from
 * `kafkajs-tracing` and never loads any of this.
 * @packageDocumentation
 */
export { startTracing, type Tracing } from './start-tracing';
export { DEFAULT_JAEGER_ENDPOINT, type ExportStats } from './exporter';
export { DEFAULT_OTLP_TRACES_ENDPOINT } from './otlp/otlp-config';
export type {
  BatchOptions,
  JaegerExportOptions,
  MetricsOptions,
  OtlpExportOptions,
  OtlpMetricsOptions,
  OtlpTlsOptions,
  PrometheusMetricsOptions,
  RetryOptions,
  TracingOptions,
} from './tracing-options';
