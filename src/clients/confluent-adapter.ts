import type { IHeaders } from 'kafkajs';
import { stringProperty, type ClientAdapter } from './client-adapter';

/**
 * Headers in the form Confluent's `send()` leaves in a message it was given (it rewrites
 * `message.headers` in place into `[{ key: value }, ...]`, one object per value): a message sent a
 * second time by the application arrives in that form. Back to a record, repeated keys as arrays.
 */
function fromHeaderList(list: readonly unknown[]): IHeaders {
  const headers: IHeaders = {};
  for (const entry of list) {
    if (entry === null || typeof entry !== 'object') continue;
    for (const [key, value] of Object.entries(entry as Record<string, unknown>)) {
      if (typeof value !== 'string' && !Buffer.isBuffer(value)) continue;
      const seen = headers[key];
      if (seen === undefined) headers[key] = value;
      else headers[key] = Array.isArray(seen) ? [...seen, value] : [seen, value];
    }
  }
  return headers;
}

/** The `kafkaJS: {...}` block of a Confluent config, where the kafkajs-style properties live. */
function kafkaJsBlock(config: unknown): unknown {
  return config !== null && typeof config === 'object' ? (config as { kafkaJS?: unknown }).kafkaJS : undefined;
}

/**
 * Confluent's KafkaJS-compatible client (`@confluentinc/kafka-javascript`, librdkafka underneath).
 * Its `sendBatch` is `send` per topic on the same instance; `groupId` and `clientId` live under
 * `kafkaJS: {...}` (or as librdkafka's `group.id` / `client.id` outside it). Consumed headers (Buffers,
 * arrays for repeated keys) and empty-string timestamps need nothing here: the shared header reader and
 * latency code accept both. This module never loads the Confluent package. @internal
 */
export const confluentAdapter: ClientAdapter = {
  name: '@confluentinc/kafka-javascript',
  sendBatchCallsSend: true,
  outgoingHeaders: (headers) => (Array.isArray(headers) ? fromHeaderList(headers) : (headers as IHeaders | undefined)),
  groupId: (config) => stringProperty(kafkaJsBlock(config), 'groupId') ?? stringProperty(config, 'group.id'),
  clientId: (config) => stringProperty(kafkaJsBlock(config), 'clientId') ?? stringProperty(config, 'client.id'),
};
