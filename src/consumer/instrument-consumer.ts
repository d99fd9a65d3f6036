import type { Consumer, ConsumerRunConfig } from 'kafkajs';
import type { ConsumerInstrumentationOptions } from '../options';
import { clientTracing } from '../client-tracing';
import type { TraceableConsumer } from '../clients/traceable-clients';
import { requireMethods } from '../clients/require-methods';
import { adapterForClient } from '../clients/detect-client';
import type { ClientAdapter } from '../clients/client-adapter';
import { traceEachBatch } from './each-batch';
import { traceEachMessage } from './each-message';
import { watchLag } from './lag-events';

const INSTRUMENTED = Symbol.for('kafkajs-tracing.instrumented');

/** The options with the consumer's own group, when they give none and the client can tell it (Confluent's, once connected). */
function withConsumerGroup(options: ConsumerInstrumentationOptions, adapter: ClientAdapter, consumer: unknown): ConsumerInstrumentationOptions {
  if (options.groupId !== undefined || !adapter.consumerGroupId) return options;
  const groupId = adapter.consumerGroupId(consumer);
  return groupId === undefined ? options : { ...options, groupId };
}

/**
 * Instruments a consumer in place and returns it, with its own type: kafkajs's `Consumer` or
 * Confluent's KafkaJS-compatible `KafkaJS.Consumer`. `run({ eachMessage })` runs each message's
 * handler inside a CONSUMER `process <topic>` span, child of the span that produced the message
 * (context read from its headers); `run({ eachBatch })` gets a span per batch plus a `process` span
 * per message in that message's own trace (see {@link withMessageSpan}).
 *
 * kafkajs does not expose a consumer's group id: pass `groupId` (or use {@link traceKafka}, which reads it
 * from the consumer's config). A Confluent consumer's group (`kafkaJS: { groupId }` or `group.id` in its
 * config) is read from the consumer itself when `run()` is called, unless `groupId` is given.
 *
 * Handlers receive the client's payload unchanged; thrown errors are recorded and rethrown, so retries,
 * pauses and commits behave as without tracing. Missing, malformed or hostile trace headers start a
 * new trace; they never throw. Instrumenting the same consumer twice is a no-op. An object without
 * `run` (such as Confluent's node-rdkafka style `KafkaConsumer`) is rejected with a `TypeError`.
 *
 * @example
 * const consumer = instrumentConsumer(kafka.consumer({ groupId: 'payments' }), { groupId: 'payments' });
 * await consumer.run({ eachMessage: async ({ message }) => { await charge(message) } });
 */
export function instrumentConsumer<C extends TraceableConsumer>(instance: C, options: ConsumerInstrumentationOptions = {}): C {
  requireMethods('instrumentConsumer', instance, ['run']);
  const flagged = instance as C & { [INSTRUMENTED]?: true };
  if (flagged[INSTRUMENTED]) return instance;
  const tracing = clientTracing(options);
  // Inside, both clients are driven through kafkajs's types: their run() payloads have the same shape.
  const consumer = instance as unknown as Consumer;
  const adapter = adapterForClient(instance);
  // kafkajs's batch events must be listened to from the start; a client without them gets its tracker
  // at run(), when a connected consumer can tell its group and watermarks.
  let lag = adapter.instrumentationEvents ? watchLag(consumer, options) : undefined;
  let resolved: ConsumerInstrumentationOptions | undefined;
  const run = consumer.run.bind(consumer);
  // Extra arguments go through as they came: a client may take more than kafkajs's types say.
  consumer.run = (config?: ConsumerRunConfig, ...rest: unknown[]): Promise<void> => {
    const call = run as (config?: ConsumerRunConfig, ...rest: unknown[]) => Promise<void>;
    if (!config) return call(config, ...rest);
    resolved ??= withConsumerGroup(options, adapter, instance);
    lag ??= watchLag(consumer, resolved, false, adapter.watermarks?.(instance));
    const traced: ConsumerRunConfig = { ...config };
    if (typeof config.eachMessage === 'function') traced.eachMessage = traceEachMessage(config.eachMessage, tracing, resolved, lag);
    if (typeof config.eachBatch === 'function') traced.eachBatch = traceEachBatch(config.eachBatch, tracing, resolved, lag);
    return call(traced, ...rest);
  };
  Object.defineProperty(consumer, INSTRUMENTED, { value: true });
  return instance;
}
