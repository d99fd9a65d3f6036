/**
 * kafkajs-tracing: one Kafka message's journey as one distributed trace.
 *
 * Producer and consumer middleware for kafkajs that follow the OpenTelemetry messaging semantic
 * conventions and propagate W3C trace context through message headers, plus a one-call setup that
 * exports to Jaeger. The Jaeger test harness lives in `kafkajs-tracing/harness`.
 * @packageDocumentation
 */
export { instrumentProducer } from './producer/instrument-producer';
export { instrumentConsumer } from './consumer/instrument-consumer';
export { withMessageSpan } from './consumer/each-batch';
export { traceKafka, type TraceKafkaOptions } from './trace-kafka';
export { startTracing, type Tracing } from './setup/start-tracing';
export { DEFAULT_JAEGER_ENDPOINT, type ExportStats } from './setup/exporter';
export type {
  BatchOptions,
  JaegerExportOptions,
  MetricsOptions,
  OtlpExportOptions,
  OtlpMetricsOptions,
  PrometheusMetricsOptions,
  TracingOptions,
} from './setup/tracing-options';
export {
  MAX_KEY_LENGTH,
  type ConsumerHookInfo,
  type ConsumerInstrumentationOptions,
  type InstrumentationOptions,
  type ProducerHookInfo,
  type ProducerInstrumentationOptions,
} from './options';
export { MAX_HEADER_VALUE_BYTES } from './propagation/header-carrier';
export type { LegacyFormat } from './propagation/legacy-formats';
