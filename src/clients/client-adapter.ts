
import type { WatermarkReader } from '../metrics/consumer-lag';

/**
 * What the middleware needs to know about one Kafka client library: the places where clients with
 * the kafkajs API shape still differ. The spans, propagation and handler wrapping are shared; a new
 * client is one more adapter (and its detection in `detect-client.ts`), not a fork. @internal
 */
export interface ClientAdapter {
  /** The client library, for diagnostics. */
  readonly name: string;
  /**
   * Whether the client's `sendBatch` calls the instance's own `send` for each topic (Confluent's
   * does): those inner calls carry messages already traced and must pass through untouched.
   */
  readonly sendBatchCallsSend: boolean;
  /**
   * Whether consumers emit kafkajs's instrumentation events (`consumer.on(consumer.events.…)`), from
   * which consumer lag is fed; without them lag comes from the handler wrappers alone.
   */
  readonly instrumentationEvents: boolean;
  /** The consumer group given in a `consumer(config)` call of this client, if any. */
  groupId(config: unknown): string | undefined;
  /** The client id given in a `producer(config)` / `consumer(config)` call of this client, if any. */
  clientId(config: unknown): string | undefined;
  /**
   * The group of a consumer object itself, for a client whose consumer tells it once connected
   * (Confluent's); asked when `run()` is called, as only a connected consumer can run.
   */
  consumerGroupId?(consumer: unknown): string | undefined;
  /**
   * For a client without batch events: reads a partition's high watermark as the consumer last fetched
   * it (no request to the broker), asked when the lag gauges are collected.
   */
  watermarks?(consumer: unknown): WatermarkReader | undefined;
}

/** A string property of a config object, or undefined. @internal */
export function stringProperty(config: unknown, key: string): string | undefined {
  if (config === null || typeof config !== 'object') return undefined;
  const value = (config as Record<string, unknown>)[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
