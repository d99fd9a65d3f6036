// The Confluent side of the end-to-end worker (bench/e2e-worker.ts --client confluent): the same topic,
// producer and consumer group as the kafkajs side, on Confluent's KafkaJS-compatible client (librdkafka),
// traced through the same traceKafka for the `ours` variant. Its package comes from NODE_PATH (bench/e2e.ts
// builds it with scripts/confluent/install.mjs).
import { KafkaJS } from '@confluentinc/kafka-javascript';
import { traceKafka } from '../dist/index';
import type { BenchPair, EachMessage } from './e2e-worker';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A producer and a consumer group on a fresh topic, the consumer running `eachMessage` with its partitions assigned. */
export async function confluentPair(opts: { topic: string; brokers: string[]; partitions: number; traced: boolean; eachMessage: EachMessage }): Promise<BenchPair> {
  let kafka = new KafkaJS.Kafka({ kafkaJS: { clientId: `bench-confluent-${opts.traced ? 'ours' : 'plain'}`, brokers: opts.brokers, logLevel: KafkaJS.logLevel.NOTHING } });
  if (opts.traced) kafka = traceKafka(kafka);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: opts.topic, numPartitions: opts.partitions }] });
  await admin.disconnect();

  // librdkafka's own defaults otherwise (it batches per partition, lingering 5 ms).
  const producer = kafka.producer({ kafkaJS: { allowAutoTopicCreation: false } });
  const consumer = kafka.consumer({ kafkaJS: { groupId: `${opts.topic}-g`, fromBeginning: true } });
  await Promise.all([producer.connect(), consumer.connect()]);
  await consumer.subscribe({ topics: [opts.topic] });
  await consumer.run({ partitionsConsumedConcurrently: Math.min(8, opts.partitions), eachMessage: opts.eachMessage });
  // No GROUP_JOIN event on this client ("Not implemented"): ready once it holds every partition.
  const deadline = Date.now() + 60000;
  while (consumer.assignment().length < opts.partitions) {
    if (Date.now() > deadline) throw new Error(`the consumer got ${consumer.assignment().length} of ${opts.partitions} partitions in 60 s`);
    await sleep(50);
  }
  return { producer, consumer };
}
