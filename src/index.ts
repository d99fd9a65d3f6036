/**
 * kafkajs-tracing: one Kafka message's journey as one distributed trace.
 *
 * Producer and consumer middleware for kafkajs that follow the OpenTelemetry messaging semantic
 * conventions and propagate W3C trace context through message headers. It needs `@opentelemetry/api`
 * only and works with whatever tracer provider is registered. The one-call SDK setup that exports to
 * Jaeger lives in `kafkajs-tracing/setup`, the Jaeger test harness in `kafkajs-tracing/harness`.
 * @packageDocumentation
 */
export { instrumentProducer } from './producer/instrument-producer';
export { instrumentConsumer } from './consumer/instrument-consumer';
export { withMessageSpan } from './consumer/with-message-span';
export { traceKafka, type TraceKafkaOptions } from './trace-kafka';
export {
  type ConsumerHookInfo,
  type ConsumerInstrumentationOptions,
  type InstrumentationOptions,
  type ProducerHookInfo,
  type ProducerInstrumentationOptions,
} from './options';
export { MAX_KEY_LENGTH } from './spans/message-attributes';
export { MAX_HEADER_VALUE_BYTES } from './propagation/header-carrier';
export type { LegacyFormat } from './propagation/legacy-formats';
export type { TraceableConsumer, TraceableKafka, TraceableProducer } from './clients/traceable-clients';
export { tracePlatformaticKafka, type PlatformaticKafkaTracing } from './clients/platformatic/trace-platformatic-kafka';
export { withPlatformaticMessageSpan } from './clients/platformatic/with-platformatic-message-span';
export type {
  PlatformaticConsumerHookInfo,
  PlatformaticProducerHookInfo,
  PlatformaticTracingOptions,
} from './clients/platformatic/options';
export type { PlatformaticHeaderType } from './clients/platformatic/headers';
export type { PlatformaticMessage, PlatformaticOutgoingMessage } from './clients/platformatic/channel-types';
