import type { ClientAdapter } from './client-adapter';
import { confluentAdapter } from './confluent-adapter';
import { kafkajsAdapter } from './kafkajs-adapter';

const has = (o: unknown, method: string): boolean =>
  o !== null && typeof o === 'object' && typeof (o as Record<string, unknown>)[method] === 'function';

// Detection by shape, never by loading a client package: only what the application passed is looked at.
// Confluent's producers and consumers have `dependentAdmin()`, which kafkajs's lack; kafkajs's have `on()`
// for instrumentation events, which Confluent's producer lacks and its consumer rejects.

/** The adapter for a producer or consumer object. @internal */
export function adapterForClient(client: unknown): ClientAdapter {
  return has(client, 'dependentAdmin') ? confluentAdapter : kafkajsAdapter;
}

/** The adapter for a `producer(config)` / `consumer(config)` config: Confluent's has a `kafkaJS` block or librdkafka keys. @internal */
export function adapterForConfig(config: unknown): ClientAdapter {
  if (config === null || typeof config !== 'object') return kafkajsAdapter;
  const c = config as Record<string, unknown>;
  return c.kafkaJS !== undefined || 'group.id' in c || 'client.id' in c ? confluentAdapter : kafkajsAdapter;
}
