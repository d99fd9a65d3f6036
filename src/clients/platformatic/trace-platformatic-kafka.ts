import { tracingChannel } from 'node:diagnostics_channel';
import { clientTracing } from '../../client-tracing';
import type { ReceiveEvent, SendEvent } from './channel-types';
import { consumerSubscribers } from './consumer-channel';
import { clientOptions, type PlatformaticTracingOptions } from './options';
import { producerSubscribers } from './producer-channel';

/** The channels `@platformatic/kafka` publishes a send and a delivered message on (its `diagnostic.ts`). */
const SENDS = 'plt:kafka:producer:sends';
const RECEIVES = 'plt:kafka:consumer:receives';

/** What {@link tracePlatformaticKafka} returns. */
export interface PlatformaticKafkaTracing {
  /** Stops tracing: unsubscribes from the client's channels. Spans already started still end. Idempotent. */
  disable(): void;
}

/**
 * Traces every `@platformatic/kafka` producer and consumer of the process through the client's
 * `diagnostics_channel` TracingChannels: nothing is patched, and the client is never loaded by this
 * package (it needs Node.js ≥ 22.22 or ≥ 24.6; on older lines this subscribes and sees nothing).
 *
 * - `Producer.send` (and producer streams, which send through it): one PRODUCER `send <topic>` span
 *   per call of one message, or a `send` span with a `create <topic>` span per message, each message
 *   carrying its own span's context in its headers (W3C `traceparent`/`tracestate`/`baggage` with
 *   the default propagator). The client sends copies of the caller's messages with new header
 *   objects of the same kind (`Map` or record): the caller's messages and headers are not changed,
 *   but the `options` object given to `send`, into which the client writes its own defaults, gets
 *   the copies as its `messages`. Set `headerType` to what the producers' header serializers take.
 * - `MessagesStream` deliveries: a CONSUMER `process <topic>` span per message, child of the
 *   producer's span (trust, links, baggage and pipeline origin as for kafkajs consumers), covering
 *   the delivery into the stream. The handler's work joins the trace through
 *   {@link withPlatformaticMessageSpan}: a stream's reader cannot be given a context from outside.
 *
 * Attributes, options and metrics are those of `instrumentProducer` / `instrumentConsumer`; client
 * id and consumer group come from each client unless given. With no tracer or meter provider
 * registered nothing is changed. Calling it twice traces twice: keep one handle.
 *
 * @example
 * const tracing = tracePlatformaticKafka({ headerType: 'string' });
 * const producer = new Producer({ clientId: 'checkout', bootstrapBrokers: ['127.0.0.1:9092'], serializers: stringSerializers });
 * await producer.send({ messages: [{ topic: 'orders', key: 'o-1', value: '{"total":12}' }] });
 * // ...
 * tracing.disable();
 */
export function tracePlatformaticKafka(options: PlatformaticTracingOptions = {}): PlatformaticKafkaTracing {
  const tracing = clientTracing(options);
  const optionsOf = clientOptions(options);
  const sends = tracingChannel<unknown, SendEvent>(SENDS);
  const receives = tracingChannel<unknown, ReceiveEvent>(RECEIVES);
  const producer = producerSubscribers(tracing, options, optionsOf);
  const consumer = consumerSubscribers(tracing, options, optionsOf);
  sends.subscribe(producer);
  receives.subscribe(consumer);
  let enabled = true;
  return {
    disable() {
      if (!enabled) return;
      enabled = false;
      sends.unsubscribe(producer);
      receives.unsubscribe(consumer);
    },
  };
}
