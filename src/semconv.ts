/**
 * Attribute names and values of the OpenTelemetry messaging semantic conventions (v1.3x, Kafka),
 * kept in one place so spans from the producer and the consumer side always agree.
 * @internal
 */
export const ATTR = {
  MESSAGING_SYSTEM: 'messaging.system',
  OPERATION_NAME: 'messaging.operation.name',
  OPERATION_TYPE: 'messaging.operation.type',
  DESTINATION_NAME: 'messaging.destination.name',
  DESTINATION_PARTITION_ID: 'messaging.destination.partition.id',
  CONSUMER_GROUP_NAME: 'messaging.consumer.group.name',
  CLIENT_ID: 'messaging.client.id',
  BATCH_MESSAGE_COUNT: 'messaging.batch.message_count',
  MESSAGE_BODY_SIZE: 'messaging.message.body.size',
  KAFKA_MESSAGE_KEY: 'messaging.kafka.message.key',
  KAFKA_OFFSET: 'messaging.kafka.offset',
  KAFKA_TOMBSTONE: 'messaging.kafka.message.tombstone',
  SERVER_ADDRESS: 'server.address',
  SERVER_PORT: 'server.port',
  ERROR_TYPE: 'error.type',
  /** @deprecated since 0.2: use {@link OWN.QUEUE_TIME_MS}; still written for one release. */
  KAFKA_END_TO_END_LATENCY_MS: 'messaging.kafka.message.end_to_end_latency_ms',
} as const;

/**
 * Names this package adds, in its own namespace `kafkajs_tracing.*` (the package name in the
 * snake_case OpenTelemetry names use): nothing is invented inside `messaging.*`, so a later convention
 * can never clash with them, and Prometheus shows them as `kafkajs_tracing_*`.
 * @internal
 */
export const OWN = {
  /** Span attribute: milliseconds from the message's timestamp to the start of its processing. */
  QUEUE_TIME_MS: 'kafkajs_tracing.queue_time_ms',
  /** Span attribute: milliseconds from the pipeline's origin (its first produce) to the start of this processing. */
  PIPELINE_LATENCY_MS: 'kafkajs_tracing.pipeline.latency_ms',
  /** Span and metric attribute: the pipeline's entry point, the topic its first message was produced to. */
  PIPELINE_ENTRY: 'kafkajs_tracing.pipeline.entry',
  /** Span attribute: which Kafka hop of the pipeline this is (1 = the entry topic). */
  PIPELINE_HOP: 'kafkajs_tracing.pipeline.hop',
  /** Metric attribute: which measurement was not recorded (`queue_time`, `pipeline_latency`). */
  MEASUREMENT: 'kafkajs_tracing.measurement',
  /** Metric attribute: why it was not recorded (`negative`, `too_old`, `malformed`). */
  REJECTION: 'kafkajs_tracing.rejection',
} as const;

/** Metric names of this package's own namespace (see {@link OWN}). @internal */
export const OWN_METRIC = {
  /** Histogram (s): message timestamp → start of processing, per topic and group. */
  QUEUE_TIME: 'kafkajs_tracing.queue_time',
  /** Histogram (s): pipeline origin → start of processing, per entry point, topic and group. */
  PIPELINE_LATENCY: 'kafkajs_tracing.pipeline.latency',
  /** Counter: latencies not recorded because clocks disagree (negative), they are absurdly old, or the carried origin is malformed. */
  REJECTED: 'kafkajs_tracing.rejected_measurements',
  /** Gauge: messages between the consumer's position and the partition's high watermark. */
  LAG_MESSAGES: 'kafkajs_tracing.consumer.lag.messages',
  /** Gauge (s): age of the oldest message the consumer has not finished with; 0 when caught up. */
  LAG_AGE: 'kafkajs_tracing.consumer.lag.age',
} as const;

/** @deprecated since 0.2: old name of {@link OWN_METRIC.QUEUE_TIME}, still recorded for one release. @internal */
export const DEPRECATED_END_TO_END_METRIC = 'messaging.kafka.end_to_end.latency';

/** `messaging.system` value for Kafka. @internal */
export const MESSAGING_SYSTEM_KAFKA = 'kafka';

/** Operation types of the conventions (`messaging.operation.type`). @internal */
export const OPERATION_TYPE = {
  SEND: 'send',
  CREATE: 'create',
  PROCESS: 'process',
} as const;
