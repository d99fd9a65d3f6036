// A partition leader crashes (SIGKILL) under traced load and comes back: every acked message is
// consumed, each consumed message's CONSUMER span is the child of its PRODUCER span, and the sends
// that failed while leadership moved carry the error on their span and reach the caller unchanged.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KafkaMessage } from 'kafkajs';
import { instrumentConsumer, instrumentProducer } from '../../src/index';
import { uniqueTopic } from '../support/env';
import { clusterKafka, createClusterTopic, layout, node, waitFullIsr } from '../support/cluster';
import { countRun, delivery, formatCounts, rememberThrown, startLoad, type Delivery } from '../support/load';
import { ledgerProvider } from '../support/span-ledger';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await sleep(100);
  }
}

describe('3-broker cluster: partition leader killed under load', () => {
  it('every acked message consumed, every chain intact, failed sends on their spans and unchanged to the caller', async () => {
    const kafka = clusterKafka('cluster-leader');
    const topic = uniqueTopic('cl-leader');
    await createClusterTopic(kafka, topic, 6);
    const producerSide = ledgerProvider();
    const consumerSide = ledgerProvider();
    // Two producers: one with kafkajs's default retries (rides out the election), one with none, so
    // some sends do fail while leadership moves and their error handling is exercised.
    const patientRaw = kafka.producer();
    const impatientRaw = clusterKafka('cluster-leader-impatient', { retry: { retries: 0 } }).producer({ retry: { retries: 0 } });
    const thrown = rememberThrown(impatientRaw);
    const patient = instrumentProducer(patientRaw, { tracerProvider: producerSide.provider });
    const impatient = instrumentProducer(impatientRaw, { tracerProvider: producerSide.provider });
    const consumer = instrumentConsumer(
      kafka.consumer({ groupId: `${topic}-g`, sessionTimeout: 10000, heartbeatInterval: 1000, retry: { retries: 30, initialRetryTime: 200, maxRetryTime: 2000 } }),
      { tracerProvider: consumerSide.provider },
    );
    const deliveries: Delivery[] = [];
    const seen = new Set<string>();
    const consumedTo = new Map<number, number>();
    let victim = 0;
    let restarted = false;
    try {
      await Promise.all([patientRaw.connect(), impatientRaw.connect(), consumer.connect()]);
      consumer.on(consumer.events.CRASH, (e) => console.log(`leader killed: consumer crashed: ${String(e.payload.error)} (restart: ${e.payload.restart})`));
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        partitionsConsumedConcurrently: 3,
        eachMessage: async ({ partition, message }: { partition: number; message: KafkaMessage }) => {
          const d = delivery(message);
          consumedTo.set(partition, Math.max(consumedTo.get(partition) ?? -1, Number(message.offset)));
          deliveries.push(d);
          seen.add(d.id);
        },
      });
      const a = startLoad(patient, { topic, prefix: 'a', rate: 2500, partitions: 6 });
      const b = startLoad(impatient, { topic, prefix: 'b', rate: 500, batchSize: 25, partitions: 6 });
      const t0 = Date.now();
      const mark = (what: string) => console.log(`leader killed: ${what} at +${((Date.now() - t0) / 1000).toFixed(1)} s`);
      await sleep(3000);
      victim = (await layout(kafka, topic))[0]?.leader ?? 0;
      assert.ok(victim > 0, 'partition 0 has a leader');
      await node('kill', victim);
      mark(`node ${victim} (leader of partition 0) SIGKILLed`);
      await sleep(5000);
      await node('start', victim);
      restarted = true;
      mark(`node ${victim} back`);
      await sleep(3000);
      await Promise.all([a.stop(), b.stop()]);
      mark(`load stopped: ${a.attempted() + b.attempted()} messages attempted`);
      const acked = new Set([...a.acked, ...b.acked]);
      const loadSecs = (Date.now() - t0) / 1000;
      // Bounded: a message that never comes shows up as lost in the counts below.
      await until(() => [...acked].every((id) => seen.has(id)), 60000, () => `acked messages to be consumed (${seen.size}/${acked.size})`).catch(() => undefined);
      await consumer.disconnect();
      await waitFullIsr(kafka, topic);
      const missing = [...acked].filter((id) => !seen.has(id));
      if (missing.length) {
        const admin = kafka.admin();
        await admin.connect();
        const ends = await admin.fetchTopicOffsets(topic);
        await admin.disconnect();
        console.log(`leader killed: missing ${missing.slice(0, 10).join(' ')}; partitions end/consumed-to: ${ends.map((e) => `p${e.partition} ${e.high}/${(consumedTo.get(e.partition) ?? -1) + 1}`).join(', ')}`);
      }
      const counts = countRun(acked, deliveries, producerSide.ledger, [consumerSide.ledger], producerSide.ledger.open + consumerSide.ledger.open);
      const failedSpans = producerSide.ledger.ended.filter((s) => s.name === `send ${topic}` && s.error);
      const failures = [...a.failed, ...b.failed];
      const unchanged = failures.filter((f) => thrown.has(f.error)).length;
      console.log(
        formatCounts('leader killed', counts, `${failures.length} failed sends (${unchanged} the client's own error object, ${failedSpans.length} error spans), ${Math.round(acked.size / loadSecs)} acked msg/s over ${loadSecs.toFixed(0)} s`),
      );
      assert.equal(counts.lost, 0, 'every acked message consumed');
      assert.equal(counts.chainsBroken, 0, "every consumed message's CONSUMER span is the child of its PRODUCER span");
      assert.equal(counts.spansLeftOpen, 0, 'no span left open');
      assert.ok(a.failed.length === 0 || a.failed.every((f) => f.error instanceof Error), 'patient failures are errors');
      assert.ok(b.failed.length > 0, 'the producer without retries saw sends fail while leadership moved');
      assert.equal(unchanged, b.failed.length, "each failed send rejected with the client's own error object");
      assert.equal(failedSpans.length, failures.length, 'each failed send has an error span');
      assert.ok(failedSpans.every((s) => s.exception), 'each error span records the exception');
    } finally {
      if (victim && !restarted) await node('start', victim).catch(() => undefined);
      await Promise.all([consumer.disconnect(), patientRaw.disconnect(), impatientRaw.disconnect()].map((p) => p.catch(() => undefined)));
    }
  });
});
