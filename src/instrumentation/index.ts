/**
 * `kafkajs-tracing/instrumentation`: the middleware as an OpenTelemetry `Instrumentation`, for
 * `registerInstrumentations` or `NodeSDK({ instrumentations })`. It patches the Kafka classes of
 * kafkajs and Confluent's client so every client they make is traced by the same wrappers as the root
 * entry point's `traceKafka`. Its own entry point because it needs `@opentelemetry/instrumentation`
 * (require and import hooks), which the middleware itself never loads.
 * @packageDocumentation
 */
export { KafkaTracingInstrumentation, type KafkaTracingInstrumentationConfig } from './kafka-tracing-instrumentation';
