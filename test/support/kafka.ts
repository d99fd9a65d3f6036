import { Kafka, logLevel, type Consumer, type KafkaConfig, type KafkaMessage } from 'kafkajs';
import { KAFKA_BROKERS } from './env';

/** A kafkajs client for tests: quiet logs, the test broker. */
export function testKafka(clientId: string, extra: Partial<KafkaConfig> = {}): Kafka {
  // Quiet by default: kafkajs logs transient coordinator errors it retries on its own. KAFKAJS_LOG=1 shows them.
  return new Kafka({ clientId, brokers: KAFKA_BROKERS, logLevel: process.env.KAFKAJS_LOG ? logLevel.INFO : logLevel.NOTHING, ...extra });
}

/** Creates topics (and waits for their leaders) so the first produce does not race auto-creation. */
export async function createTopics(kafka: Kafka, topics: string[], numPartitions = 1): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions })), waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

/** Resolves once `count` messages were handled by the consumer's run handler that calls `record`. */
export function collector<T = KafkaMessage>(count: number, timeoutMs = 30000) {
  const items: T[] = [];
  let resolve!: (v: T[]) => void;
  let reject!: (e: Error) => void;
  const done = new Promise<T[]>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms with ${items.length}/${count} messages`)), timeoutMs);
  return {
    items,
    record(item: T) {
      items.push(item);
      if (items.length >= count) {
        clearTimeout(timer);
        resolve(items);
      }
    },
    done,
  };
}

/** Stops and disconnects consumers/producers, ignoring errors so cleanup never hides a test's failure. */
export async function disconnectAll(...clients: Array<{ disconnect(): Promise<void> } | Consumer | undefined>): Promise<void> {
  await Promise.all(clients.map((c) => c?.disconnect().catch(() => undefined)));
}
