import { stringProperty, type ClientAdapter } from './client-adapter';

/** The `kafkaJS: {...}` block of a Confluent config, where the kafkajs-style properties live. */
function kafkaJsBlock(config: unknown): unknown {
  return config !== null && typeof config === 'object' ? (config as { kafkaJS?: unknown }).kafkaJS : undefined;
}

/**
 * Confluent's KafkaJS-compatible client (`@confluentinc/kafka-javascript`, librdkafka underneath).
 * - Its `sendBatch` is `send` per topic on the same instance (see `sendBatchCallsSend`).
 * - `groupId` and `clientId` live under `kafkaJS: {...}`, or outside it as librdkafka's `group.id` / `client.id`.
 * - Its `send` rewrites each message in place (headers into `[{ key: value }, ...]`, value into a Buffer):
 *   traced messages are copies, so the caller's objects are untouched. A message already rewritten by an
 *   untraced send is rejected by the client when sent again, traced or not: it is passed as it is.
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
};
