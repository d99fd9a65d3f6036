// The local 3-broker cluster of `scripts/infra.sh --brokers 3` for the tests in test/cluster/: its
// addresses, node control (stop, SIGKILL, start) without blocking the event loop, and the topic
// layout the fault tests read (leaders, in-sync replicas).
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';

const run = promisify(execFile);
const script = join(__dirname, '..', '..', 'scripts', 'infra.sh');
const base = Number(process.env.KAFKA_CLUSTER_PORT ?? 19092);

/** Node ids of the cluster: 1, 2, 3. */
export const CLUSTER_NODES = [1, 2, 3] as const;
/** Bootstrap addresses of the cluster's brokers (node i on base + 100·(i−1)). */
export const CLUSTER_BROKERS = CLUSTER_NODES.map((i) => `127.0.0.1:${base + 100 * (i - 1)}`);

/** A kafkajs client on the cluster; quiet unless KAFKAJS_LOG is set. */
export function clusterKafka(clientId: string, extra: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({ clientId, brokers: CLUSTER_BROKERS, logLevel: process.env.KAFKAJS_LOG ? logLevel.WARN : logLevel.NOTHING, ...extra });
}

/**
 * Acts on one node through scripts/infra.sh: `stop` is a controlled shutdown (SIGTERM), `kill` a crash
 * (SIGKILL), `start` returns once all three brokers are registered again.
 */
export async function node(action: 'stop' | 'kill' | 'start', id: number): Promise<void> {
  await run('bash', [script, '--brokers', '3', action, String(id)], { timeout: 120000 });
}

/** Topics with replication factor 3 (min ISR 2 comes from the brokers' configuration). */
export async function createClusterTopic(kafka: Kafka, topic: string, numPartitions: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    // A cluster that has just started may answer a metadata request for a topic it has created before
    // every broker knows of it: kafkajs's wait for leaders then fails with a retriable error
    // (UNKNOWN_TOPIC_OR_PARTITION). Ask again until every partition has a leader, for 30 s at most.
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        await admin.createTopics({ topics: [{ topic, numPartitions, replicationFactor: 3 }], waitForLeaders: true });
        const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
        const partitions = topics[0]?.partitions ?? [];
        if (partitions.length === numPartitions && partitions.every((p) => p.leader >= 0)) return;
      } catch (err) {
        if ((err as { retriable?: boolean }).retriable !== true || Date.now() > deadline) throw err;
      }
      if (Date.now() > deadline) throw new Error(`topic ${topic}: not every partition has a leader after 30 s`);
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    await admin.disconnect();
  }
}

/** Leader, replicas and ISR of each partition of a topic. */
export async function layout(kafka: Kafka, topic: string): Promise<Array<{ partition: number; leader: number; isr: number[] }>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    return (topics[0]?.partitions ?? []).map((p) => ({ partition: p.partitionId, leader: p.leader, isr: p.isr })).sort((a, b) => a.partition - b.partition);
  } finally {
    await admin.disconnect();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until every partition of the topic has all three replicas in sync (a restarted node caught up). */
export async function waitFullIsr(kafka: Kafka, topic: string, timeoutMs = 60000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const parts = await layout(kafka, topic).catch(() => []);
    if (parts.length && parts.every((p) => p.isr.length === CLUSTER_NODES.length)) return;
    if (Date.now() > deadline) throw new Error(`ISR of ${topic} not full after ${timeoutMs} ms: ${JSON.stringify(parts)}`);
    await sleep(250);
  }
}
