import { stringProperty, type ClientAdapter } from './client-adapter';

/** The `kafkaJS: {...}` block of a Confluent config, where the kafkajs-style properties live. */
function kafkaJsBlock(config: unknown): unknown {
  return config !== null && typeof config === 'object' ? (config as { kafkaJS?: unknown }).kafkaJS : undefined;
}

/** The parts of Confluent's node-rdkafka `KafkaConsumer` under a KafkaJS consumer that are read here. */
interface InternalConsumer {
  /** The librdkafka configuration the consumer was made with (`group.id` included). */
  globalConfig?: Record<string, unknown>;
  /** The low and high watermark librdkafka cached from its latest fetch; throws when disconnected or unknown. */
  getWatermarkOffsets?(topic: string, partition: number): { highOffset?: number };
}

/** The node-rdkafka consumer under a KafkaJS consumer (`_getInternalClient()`, null until connected), if there is one. */
function internalConsumer(consumer: unknown): InternalConsumer | undefined {
  const get = (consumer as { _getInternalClient?: unknown } | null | undefined)?._getInternalClient;
  if (typeof get !== 'function') return undefined;
  const internal: unknown = get.call(consumer);
  return internal !== null && typeof internal === 'object' ? (internal as InternalConsumer) : undefined;
}

/**
 * Confluent's KafkaJS-compatible client (`@confluentinc/kafka-javascript`, librdkafka underneath).
 * - Its `sendBatch` is `send` per topic on the same instance (see `sendBatchCallsSend`).
 * - `groupId` and `clientId` live under `kafkaJS: {...}`, or outside it as librdkafka's `group.id` / `client.id`.
 * - Its `send` rewrites each message in place (headers into `[{ key: value }, ...]`, value into a Buffer):
 *   traced messages are copies, so the caller's objects are untouched. A message already rewritten by an
 *   untraced send is rejected by the client when sent again, traced or not: it is passed as it is.
 * - Its consumers keep their config private: a consumer's group is read from the node-rdkafka client under
 *   it (`group.id` of its librdkafka configuration) once connected, and there are no batch events, so lag
 *   reads each partition's high watermark from the same client (librdkafka's cached value) when collected.
 * - Consumed headers (Buffers, arrays for repeated keys) and empty-string timestamps need nothing here:
 *   the shared header reader and latency code accept both shapes.
 * This module never loads the Confluent package. @internal
 */
export const confluentAdapter: ClientAdapter = {
  name: '@confluentinc/kafka-javascript',
  sendBatchCallsSend: true,
  // `consumer.on()` and `consumer.events` throw "not implemented".
  instrumentationEvents: false,
  groupId: (config) => stringProperty(kafkaJsBlock(config), 'groupId') ?? stringProperty(config, 'group.id'),
  clientId: (config) => stringProperty(kafkaJsBlock(config), 'clientId') ?? stringProperty(config, 'client.id'),
  consumerGroupId: (consumer) => stringProperty(internalConsumer(consumer)?.globalConfig, 'group.id'),
  watermarks: (consumer) =>
    typeof (consumer as { _getInternalClient?: unknown } | null | undefined)?._getInternalClient !== 'function'
      ? undefined
      : (topic, partition) => {
          const internal = internalConsumer(consumer);
          if (typeof internal?.getWatermarkOffsets !== 'function') throw new Error('the consumer is not connected');
          return Number(internal.getWatermarkOffsets(topic, partition).highOffset);
        },
};
