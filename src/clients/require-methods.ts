/**
 * Fails clearly when an object lacks the methods a wrapper drives, instead of failing later inside a
 * send or a handler: for instance Confluent's node-rdkafka style `Producer` (`produce()`) or
 * `KafkaConsumer` (`'data'` events), which the middleware does not trace. @internal
 */
export function requireMethods(fn: string, client: unknown, methods: readonly string[]): void {
  const missing = methods.filter((m) => client === null || typeof client !== 'object' || typeof (client as Record<string, unknown>)[m] !== 'function');
  if (missing.length === 0) return;
  throw new TypeError(
    `${fn}: expected a kafkajs client or one of @confluentinc/kafka-javascript's KafkaJS API, with ${methods.map((m) => `${m}()`).join(', ')}; ` +
      `this ${client === null ? 'null' : typeof client} has no ${missing.map((m) => `${m}()`).join(', ')}`,
  );
}
