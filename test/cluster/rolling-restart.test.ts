// A rolling restart of the three brokers under traced load, one at a time as an operator does it
// (controlled shutdown with SIGTERM, start, wait until every replica is back in sync, next one):
// no acked message lost, every chain intact, no span left open.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KafkaMessage } from 'kafkajs';
import { instrumentConsumer, instrumentProducer } from '../../src/index';
import { uniqueTopic } from '../support/env';
import { CLUSTER_NODES, clusterKafka, createClusterTopic, node, waitFullIsr } from '../support/cluster';
import { countRun, delivery, formatCounts, startLoad, type Delivery } from '../support/load';
import { ledgerProvider } from '../support/span-ledger';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await sleep(100);
  }
}

describe('3-broker cluster: rolling restart under load', () => {
  it('no acked message lost, every chain intact, no span left open', async () => {
    const kafka = clusterKafka('cluster-rolling');
    const topic = uniqueTopic('cl-rolling');
    await createClusterTopic(kafka, topic, 6);
    const producerSide = ledgerProvider();
    const consumerSide = ledgerProvider();
    const raw = kafka.producer();
    const producer = instrumentProducer(raw, { tracerProvider: producerSide.provider });
    const consumer = instrumentConsumer(
      kafka.consumer({ groupId: `${topic}-g`, sessionTimeout: 10000, heartbeatInterval: 1000, retry: { retries: 30, initialRetryTime: 200, maxRetryTime: 2000 } }),
      { tracerProvider: consumerSide.provider },
    );
    const deliveries: Delivery[] = [];
    const seen = new Set<string>();
    let down = 0;
    try {
      await Promise.all([raw.connect(), consumer.connect()]);
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        partitionsConsumedConcurrently: 3,
        eachMessage: async ({ message }: { message: KafkaMessage }) => {
          const d = delivery(message);
          deliveries.push(d);
          seen.add(d.id);
        },
      });
      const load = startLoad(producer, { topic, prefix: 'r', rate: 2500, partitions: 6 });
      const t0 = Date.now();
      const mark = (what: string) => console.log(`rolling restart: ${what} at +${((Date.now() - t0) / 1000).toFixed(1)} s`);
      await sleep(2000);
      for (const id of CLUSTER_NODES) {
        down = id;
        await node('stop', id);
        mark(`node ${id} stopped`);
        await node('start', id);
        down = 0;
        await waitFullIsr(kafka, topic, 90000);
        mark(`node ${id} back, replicas in sync`);
      }
      await sleep(2000);
      await load.stop();
      const loadSecs = (Date.now() - t0) / 1000;
      mark(`load stopped: ${load.attempted()} messages attempted`);
      const acked = load.acked;
      await until(() => [...acked].every((id) => seen.has(id)), 60000, () => `acked messages to be consumed (${seen.size}/${acked.size})`).catch(() => undefined);
      await consumer.disconnect();
      const counts = countRun(acked, deliveries, producerSide.ledger, [consumerSide.ledger], producerSide.ledger.open + consumerSide.ledger.open);
      console.log(formatCounts('rolling restart', counts, `${load.failed.length} failed sends, ${Math.round(acked.size / loadSecs)} acked msg/s over ${loadSecs.toFixed(0)} s`));
      assert.equal(counts.lost, 0, 'no acked message lost');
      assert.equal(counts.chainsBroken, 0, 'every chain intact');
      assert.equal(counts.spansLeftOpen, 0, 'no span left open');
    } finally {
      if (down) await node('start', down).catch(() => undefined);
      await Promise.all([consumer.disconnect(), raw.disconnect()].map((p) => p.catch(() => undefined)));
    }
  });
});
