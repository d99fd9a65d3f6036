import type { ConsumerInstrumentationOptions, ProducerInstrumentationOptions } from './options';
import type { TraceableConsumer, TraceableKafka, TraceableProducer } from './clients/traceable-clients';
import { adapterForConfig } from './clients/detect-client';
import { instrumentConsumer } from './consumer/instrument-consumer';
import { instrumentProducer } from './producer/instrument-producer';

/** Options of {@link traceKafka}: applied to every producer and consumer it hands out. */
export interface TraceKafkaOptions {
  /**
   * Options for every producer. `clientId` is worth setting for kafkajs, which does not expose it;
   * with Confluent's client it is taken from the producer's config (`kafkaJS.clientId` or `client.id`) unless set here.
   */
  producer?: ProducerInstrumentationOptions;
  /**
   * Options for every consumer; `groupId` is taken from each consumer's own config unless set here
   * (kafkajs: `groupId`; Confluent: `kafkaJS: { groupId }` or `group.id`), and so is Confluent's client id.
   */
  consumer?: ConsumerInstrumentationOptions;
}

/** Options taken from a config, without keys that are undefined (so they cannot mask anything). */
function fromConfig(entries: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(entries)) if (v !== undefined) out[k] = v;
  return out;
}

/**
 * Returns the Kafka client with `producer()` and `consumer()` handing out instrumented clients, so
 * existing code needs no other change. The client is changed in place and returned with its own
 * type: kafkajs's `Kafka` or Confluent's KafkaJS-compatible `KafkaJS.Kafka`.
 *
 * @example
 * const kafka = traceKafka(new Kafka({ clientId: 'checkout', brokers: ['127.0.0.1:9092'] }));
 * const producer = kafka.producer(); // already instrumented
 */
export function traceKafka<K extends TraceableKafka>(kafka: K, options: TraceKafkaOptions = {}): K {
  const client = kafka as TraceableKafka;
  const producer = client.producer.bind(kafka);
  const consumer = client.consumer.bind(kafka);
  client.producer = (config?: object): TraceableProducer => {
    const adapter = adapterForConfig(config);
    return instrumentProducer(producer(config), { ...fromConfig({ clientId: adapter.clientId(config) }), ...options.producer });
  };
  client.consumer = (config: object): TraceableConsumer => {
    const adapter = adapterForConfig(config);
    const found = fromConfig({ groupId: adapter.groupId(config), clientId: adapter.clientId(config) });
    return instrumentConsumer(consumer(config), { ...found, ...options.consumer });
  };
  return kafka;
}
