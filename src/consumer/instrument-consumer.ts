import type { Consumer, ConsumerRunConfig } from 'kafkajs';
import type { ConsumerInstrumentationOptions } from '../options';
import { clientTracing } from '../client-tracing';
import type { TraceableConsumer } from '../clients/traceable-clients';
import { requireMethods } from '../clients/require-methods';
import { adapterForClient } from '../clients/detect-client';
import { traceEachBatch } from './each-batch';
import { traceEachMessage } from './each-message';
import { watchLag } from './lag-events';

const INSTRUMENTED = Symbol.for('kafkajs-tracing.instrumented');

/**
 * Instruments a consumer in place and returns it, with its own type: kafkajs's `Consumer` or
 * Confluent's KafkaJS-compatible `KafkaJS.Consumer`. `run({ eachMessage })` runs each message's
 * handler inside a CONSUMER `process <topic>` span, child of the span that produced the message
 * (context read from its headers); `run({ eachBatch })` gets a span per batch plus a `process` span
 * per message in that message's own trace (see {@link withMessageSpan}).
 *
 * Neither client exposes a consumer's group id: pass `groupId` (or use {@link traceKafka}, which reads it
 * from the consumer's config, `groupId` or Confluent's `kafkaJS: { groupId }`).
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
  const lag = watchLag(consumer, options, adapterForClient(instance).instrumentationEvents);
  const run = consumer.run.bind(consumer);
  // Extra arguments go through as they came: a client may take more than kafkajs's types say.
  consumer.run = (config?: ConsumerRunConfig, ...rest: unknown[]): Promise<void> => {
    const call = run as (config?: ConsumerRunConfig, ...rest: unknown[]) => Promise<void>;
    if (!config) return call(config, ...rest);
    const traced: ConsumerRunConfig = { ...config };
    if (typeof config.eachMessage === 'function') traced.eachMessage = traceEachMessage(config.eachMessage, tracing, options, lag);
    if (typeof config.eachBatch === 'function') traced.eachBatch = traceEachBatch(config.eachBatch, tracing, options, lag);
    return call(traced, ...rest);
  };
  Object.defineProperty(consumer, INSTRUMENTED, { value: true });
  return instance;
}
