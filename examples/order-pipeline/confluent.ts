// The tracing setup of a service on Confluent's client (@confluentinc/kafka-javascript, librdkafka
// underneath): the same two calls as config.ts, on Confluent's KafkaJS-compatible API. `checkout` uses it,
// so the pipeline's traces cross both clients, as a pipeline half way through a migration does.
import { KafkaJS, librdkafkaVersion } from '@confluentinc/kafka-javascript';
import { traceKafka } from '../../src/index';
import type { Tracing } from '../../src/setup/index';
import { BROKERS, startServiceTracing } from './config';

/** Starts tracing for one service and returns a Confluent client whose producers and consumers are traced. */
export function confluentServiceSetup(serviceName: string): { tracing: Tracing; kafka: KafkaJS.Kafka } {
  // The version is read from the loaded native library: the trace shows which client really sent.
  const tracing = startServiceTracing(serviceName, `@confluentinc/kafka-javascript (librdkafka ${librdkafkaVersion})`);
  const kafka = traceKafka(new KafkaJS.Kafka({ kafkaJS: { clientId: serviceName, brokers: BROKERS, logLevel: KafkaJS.logLevel.ERROR } }), {
    // Confluent's client keeps the Kafka-level client id private: name it for `messaging.client.id`.
    producer: { clientId: serviceName },
    consumer: { clientId: serviceName },
  });
  return { tracing, kafka };
}
