import type { ConsumerInstrumentationOptions, ProducerInstrumentationOptions } from './options';
import type { TraceableConsumer, TraceableKafka, TraceableProducer } from './clients/traceable-clients';
import { instrumentMadeConsumer, instrumentMadeProducer } from './clients/client-factories';

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
  client.producer = (config?: object): TraceableProducer => instrumentMadeProducer(producer(config), config, options.producer);
  client.consumer = (config: object): TraceableConsumer => instrumentMadeConsumer(consumer(config), config, options.consumer);
  return kafka;
}
