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
  /** Not in the conventions: milliseconds from the message's timestamp to the start of processing. */
  KAFKA_END_TO_END_LATENCY_MS: 'messaging.kafka.message.end_to_end_latency_ms',
} as const;

/** `messaging.system` value for Kafka. @internal */
export const MESSAGING_SYSTEM_KAFKA = 'kafka';

/** Operation types of the conventions (`messaging.operation.type`). @internal */
export const OPERATION_TYPE = {
  SEND: 'send',
  CREATE: 'create',
  PROCESS: 'process',
} as const;
