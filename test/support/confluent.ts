import { KafkaJS } from '@confluentinc/kafka-javascript';
import { KAFKA_BROKERS } from './env';

/**
 * A client of Confluent's KafkaJS-compatible API for tests: the test broker, quiet logs (CONFLUENT_LOG=1
 * shows them). librdkafka's defaults are tuned for throughput; these make a test's few messages move at once.
 */
export function confluentKafka(clientId: string): KafkaJS.Kafka {
  return new KafkaJS.Kafka({
    kafkaJS: {
      clientId,
      brokers: KAFKA_BROKERS,
      logLevel: process.env.CONFLUENT_LOG ? KafkaJS.logLevel.INFO : KafkaJS.logLevel.NOTHING,
    },
  });
}

/** Producer config: send as soon as called (the default lingers 5 ms to batch), so each await is one message. */
export const PROMPT_PRODUCER = { 'linger.ms': 0 } as const;

/** Consumer config for a fresh group reading a test topic from its start; fast to join and to fetch. */
export function consumerConfig(groupId: string, extra: KafkaJS.ConsumerConstructorConfig = {}): KafkaJS.ConsumerConstructorConfig {
  return {
    'fetch.wait.max.ms': 50,
    'topic.metadata.refresh.interval.ms': 1000,
    ...extra,
    kafkaJS: { groupId, fromBeginning: true, ...extra.kafkaJS },
  };
}
