import type { Consumer, ConsumerConfig, Kafka, Producer, ProducerConfig } from 'kafkajs';
import type { ConsumerInstrumentationOptions, ProducerInstrumentationOptions } from './options';
import { instrumentConsumer } from './consumer/instrument-consumer';
import { instrumentProducer } from './producer/instrument-producer';

/** Options of {@link traceKafka}: applied to every producer and consumer it hands out. */
export interface TraceKafkaOptions {
  /** Options for every producer (`clientId` is worth setting: kafkajs does not expose it). */
  producer?: ProducerInstrumentationOptions;
  /** Options for every consumer; `groupId` is taken from each consumer's own config unless set here. */
  consumer?: ConsumerInstrumentationOptions;
}

/**
 * Returns the Kafka client with `producer()` and `consumer()` handing out instrumented clients, so
 * existing code needs no other change. The client is changed in place and returned.
 *
 * @example
 * const kafka = traceKafka(new Kafka({ clientId: 'checkout', brokers: ['127.0.0.1:9092'] }));
 * const producer = kafka.producer(); // already instrumented
 */
export function traceKafka<K extends Kafka>(kafka: K, options: TraceKafkaOptions = {}): K {
  const producer = kafka.producer.bind(kafka);
  const consumer = kafka.consumer.bind(kafka);
  kafka.producer = (config?: ProducerConfig): Producer => instrumentProducer(producer(config), options.producer);
  kafka.consumer = (config: ConsumerConfig): Consumer =>
    instrumentConsumer(consumer(config), { groupId: config?.groupId, ...options.consumer });
  return kafka;
}
