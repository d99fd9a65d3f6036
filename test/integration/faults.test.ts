// Faults against the real processes: Jaeger killed and restarted mid-stream, the broker stopped and
// restarted mid-stream, a consumer group rebalancing while messages are processed.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KafkaMessage, Producer } from 'kafkajs';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { SpanStatusCode } from '@opentelemetry/api';
import { instrumentConsumer, instrumentProducer } from '../../src/index';
import { startTracing } from '../../src/setup/index';
import { JaegerQuery, waitForTrace } from '../../src/harness/index';
import { JAEGER_QUERY_URL, uniqueTopic } from '../support/env';
import { canInjectFaults, freeze, infra } from '../support/infra';
import { createTopics, disconnectAll, testKafka } from '../support/kafka';
import { traceIdOf } from '../support/services';

const kafka = testKafka('it-faults');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const skip = canInjectFaults ? false : 'needs the local Kafka and Jaeger (KAFKA_BROKERS / JAEGER_QUERY_URL are set)';

async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/**
 * Produces n messages one by one through `producer` and waits until `consumed` holds them all:
 * the end-to-end rate in messages per second, and the messages.
 */
function phases(producer: Producer, topic: string, consumed: KafkaMessage[]) {
  return async (n: number): Promise<{ rate: number; messages: KafkaMessage[] }> => {
    const start = Date.now();
    const from = consumed.length;
    for (let i = 0; i < n; i++) await producer.send({ topic, messages: [{ value: `m${i}` }] });
    await until(() => consumed.length >= from + n, 60000, `${n} messages`);
    return { rate: n / ((Date.now() - start) / 1000), messages: consumed.slice(from) };
  };
}

/** Collects unhandled rejections until `stop()`. */
function watchRejections(): { rejections: unknown[]; stop: () => void } {
  const rejections: unknown[] = [];
  const onRejection = (err: unknown) => rejections.push(err);
  process.on('unhandledRejection', onRejection);
  return { rejections, stop: () => process.off('unhandledRejection', onRejection) };
}

describe('faults against the real Kafka and Jaeger', { skip }, () => {
  it('Jaeger killed mid-stream: produce/consume go on at the same rate; after a restart export resumes', async () => {
    const topic = uniqueTopic('it-fault-jaeger');
    await createTopics(kafka, [topic]);
    const { rejections, stop } = watchRejections();
    const tracing = startTracing({ serviceName: 'it-fault-jaeger', register: false, batch: { scheduledDelayMillis: 100 } });
    const producer = instrumentProducer(kafka.producer(), { tracerProvider: tracing.provider });
    const consumer = instrumentConsumer(kafka.consumer({ groupId: `${topic}-g` }), { tracerProvider: tracing.provider });
    const consumed: KafkaMessage[] = [];
    const phase = phases(producer, topic, consumed);
    try {
      await Promise.all([producer.connect(), consumer.connect()]);
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void consumed.push(message) });
      await phase(20); // warm-up
      const up = await phase(300);
      infra('stop', 'jaeger');
      let down;
      try {
        down = await phase(300);
        await tracing.forceFlush();
      } finally {
        infra('start', 'jaeger');
      }
      const failedWhileDown = tracing.exportStats().failedSpans;
      const after = await phase(10);
      await tracing.forceFlush();
      const ratio = down.rate / up.rate;
      console.log(`jaeger up: ${up.rate.toFixed(0)} msg/s, jaeger down: ${down.rate.toFixed(0)} msg/s, ratio ${ratio.toFixed(2)}`);
      assert.equal(down.messages.length, 300, 'no message lost while Jaeger was down');
      // Loose on purpose (a noisy 2-core box): this catches an export path that blocks the send path.
      assert.ok(ratio > 0.5, `rate with Jaeger down fell to ${ratio.toFixed(2)}× of the rate with Jaeger up`);
      assert.ok(failedWhileDown > 0, 'the failed exports were counted');
      const resumed = await waitForTrace(new JaegerQuery(JAEGER_QUERY_URL), traceIdOf(after.messages[9]?.headers?.traceparent), { minSpans: 2 });
      assert.equal(resumed.spans.length, 2, 'spans made after the restart reach Jaeger');
      assert.deepEqual(rejections, []);
    } finally {
      stop();
      await disconnectAll(consumer, producer);
      await tracing.shutdown();
    }
  });

  it('Jaeger restarted: the spans ended while it was down are held, resent when it is back, none lost', async () => {
    const topic = uniqueTopic('it-fault-restart');
    await createTopics(kafka, [topic]);
    const { rejections, stop } = watchRejections();
    const tracing = startTracing({
      serviceName: 'it-fault-restart',
      // The default export: OTLP/HTTP to the local Jaeger (or OTEL_EXPORTER_OTLP_ENDPOINT).
      register: false,
      retry: { initialBackoffMillis: 200, maxBackoffMillis: 1000 },
      batch: { scheduledDelayMillis: 100 },
    });
    const producer = instrumentProducer(kafka.producer(), { tracerProvider: tracing.provider });
    const consumer = instrumentConsumer(kafka.consumer({ groupId: `${topic}-g` }), { tracerProvider: tracing.provider });
    const consumed: KafkaMessage[] = [];
    const phase = phases(producer, topic, consumed);
    let down = false;
    try {
      await Promise.all([producer.connect(), consumer.connect()]);
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void consumed.push(message) });
      await phase(10);
      await tracing.forceFlush();
      infra('stop', 'jaeger');
      down = true;
      const during = await phase(100);
      await sleep(500); // the processor's scheduled exports fail against the stopped collector
      const held = tracing.exportStats();
      assert.ok(held.failedSpans > 0 && held.heldSpans > 0, `exports failed and were held: ${JSON.stringify(held)}`);
      infra('start', 'jaeger');
      down = false;
      // No flush: the backoff's resend alone must deliver once the collector answers again.
      await until(() => tracing.exportStats().heldSpans === 0, 30000, 'the held spans to be resent');
      const stats = tracing.exportStats();
      console.log(`jaeger restart: ${JSON.stringify(stats)}`);
      assert.equal(stats.lostSpans, 0, 'nothing lost');
      assert.ok(stats.resentSpans > 0, 'spans went out by a resend');
      const query = new JaegerQuery(JAEGER_QUERY_URL);
      const missing: string[] = [];
      for (const message of during.messages) {
        const traceId = traceIdOf(message.headers?.traceparent);
        const trace = await waitForTrace(query, traceId, { minSpans: 2, timeoutMs: 10000 }).catch(() => undefined);
        if (trace?.spans.length !== 2) missing.push(traceId);
      }
      assert.deepEqual(missing, [], 'every message made while Jaeger was down has its send and process spans in Jaeger');
      assert.deepEqual(rejections, []);
    } finally {
      if (down) infra('start', 'jaeger');
      stop();
      await disconnectAll(consumer, producer);
      await tracing.shutdown();
    }
  });

  it('Jaeger frozen (connections accepted, never answered): the queue and retry budget cap memory, what they give up is counted, nothing waits on it', async () => {
    const topic = uniqueTopic('it-fault-frozen');
    await createTopics(kafka, [topic]);
    const { rejections, stop } = watchRejections();
    // A small queue and retry budget so their caps are reached quickly; exports give up after 500 ms.
    const tracing = startTracing({
      serviceName: 'it-fault-frozen',
      // The default export: OTLP/HTTP to the local Jaeger (or OTEL_EXPORTER_OTLP_ENDPOINT).
      register: false,
      batch: { maxQueueSize: 128, maxExportBatchSize: 64, scheduledDelayMillis: 50, exportTimeoutMillis: 500 },
      retry: { maxBytes: 32 * 1024, compress: false },
    });
    const producer = instrumentProducer(kafka.producer(), { tracerProvider: tracing.provider });
    const consumer = instrumentConsumer(kafka.consumer({ groupId: `${topic}-g` }), { tracerProvider: tracing.provider });
    const consumed: KafkaMessage[] = [];
    const phase = async (n: number): Promise<number> => (await phases(producer, topic, consumed)(n)).rate;
    let frozen = false;
    try {
      await Promise.all([producer.connect(), consumer.connect()]);
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void consumed.push(message) });
      await phase(20);
      const up = await phase(300);
      freeze('jaeger', (frozen = true));
      const down = await phase(300);
      await sleep(1500); // longer than the export timeout: the hanging export must give up
      freeze('jaeger', (frozen = false));
      await tracing.forceFlush();
      const stats = tracing.exportStats();
      console.log(`jaeger frozen: ${up.toFixed(0)} msg/s up, ${down.toFixed(0)} msg/s frozen, ratio ${(down / up).toFixed(2)}; ${JSON.stringify(stats)}`);
      assert.equal(consumed.length, 620, 'every message consumed');
      assert.ok(down / up > 0.5, `rate with Jaeger frozen fell to ${(down / up).toFixed(2)}× of the rate with it up`);
      assert.ok(stats.lostSpans + stats.droppedSpans > 0, `the full queue and budget gave spans up instead of growing: ${JSON.stringify(stats)}`);
      assert.ok(stats.failedSpans > 0, 'timed-out exports were counted as failed');
      assert.deepEqual(rejections, []);
    } finally {
      if (frozen) freeze('jaeger', false);
      stop();
      await disconnectAll(consumer, producer);
      await tracing.shutdown();
    }
  });

  it('broker stopped and restarted mid-stream: errors on spans and to the caller, nothing acked is lost, chains continue', async () => {
    const topic = uniqueTopic('it-fault-broker');
    await createTopics(kafka, [topic]);
    const exporter = new InMemorySpanExporter();
    const tracing = startTracing({ serviceName: 'it-fault-broker', exporter, register: false, batch: { scheduledDelayMillis: 50, maxQueueSize: 100000 } });
    // Few client-level retries, so a send to the stopped broker fails in about a second, not ~15 s.
    const impatient = testKafka('it-faults-impatient', { retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 300 } });
    const producer = instrumentProducer(impatient.producer({ retry: { retries: 0 } }), { tracerProvider: tracing.provider });
    const consumer = instrumentConsumer(kafka.consumer({ groupId: `${topic}-g`, sessionTimeout: 6000, heartbeatInterval: 500, retry: { retries: 30, initialRetryTime: 300, maxRetryTime: 2000 } }), {
      tracerProvider: tracing.provider,
    });
    const acked = new Set<string>();
    const failures: unknown[] = [];
    const consumed = new Map<string, KafkaMessage>();
    let next = 0;
    const sendOne = async (): Promise<boolean> => {
      const id = `m${next++}`;
      try {
        await producer.send({ topic, messages: [{ key: id, value: id }] });
        acked.add(id);
        return true;
      } catch (err) {
        failures.push(err);
        return false;
      }
    };
    try {
      await Promise.all([producer.connect(), consumer.connect()]);
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void consumed.set(String(message.value), message) });
      for (let i = 0; i < 20; i++) await sendOne();
      const t0 = Date.now();
      const mark = (what: string) => console.log(`broker restart: ${what} at +${((Date.now() - t0) / 1000).toFixed(1)} s`);
      infra('stop', 'kafka');
      mark('broker stopped');
      try {
        for (let i = 0; i < 2; i++) assert.equal(await sendOne(), false, 'a send while the broker is down fails');
        mark('2 sends failed');
      } finally {
        infra('start', 'kafka');
        mark('broker ready');
      }
      // The producer reconnects on its own; keep sending until it does, then 20 more.
      const deadline = Date.now() + 60000;
      while (!(await sendOne())) {
        if (Date.now() > deadline) throw new Error('the producer did not recover within 60 s');
        await sleep(500);
      }
      mark('producer recovered');
      for (let i = 0; i < 20; i++) await sendOne();
      await until(() => [...acked].every((id) => consumed.has(id)), 90000, 'every acked message to be consumed');
      mark('all acked messages consumed');
    } finally {
      await disconnectAll(consumer, producer);
      await tracing.forceFlush(); // read the in-memory spans before shutdown() clears them
    }
    const spans = exporter.getFinishedSpans();
    await tracing.shutdown();
    assert.ok(failures.length >= 2, 'failed sends reached the caller');
    const errored = spans.filter((s) => s.name === `send ${topic}` && s.status.code === SpanStatusCode.ERROR);
    assert.equal(errored.length, failures.length, 'every failed send has an error span');
    assert.ok(errored.every((s) => s.events.some((e) => e.name === 'exception')));
    // Chains continue after the recovery: the last message's process span is the child of its send span.
    const last = consumed.get(`m${next - 1}`);
    const sendSpanId = String(last?.headers?.traceparent).split('-')[2];
    assert.ok(spans.some((s) => s.name === `process ${topic}` && s.parentSpanContext?.spanId === sendSpanId));
    console.log(`broker restart: ${acked.size} acked, ${failures.length} failed sends, ${consumed.size} distinct consumed, 0 lost`);
  });

  it('a rebalance while processing (a second consumer joins): no message lost, no span left open', async () => {
    const topic = uniqueTopic('it-fault-rebalance');
    await createTopics(kafka, [topic], 4);
    const exporter = new InMemorySpanExporter();
    const tracing = startTracing({ serviceName: 'it-fault-rebalance', exporter, register: false, batch: { scheduledDelayMillis: 50, maxQueueSize: 100000 } });
    let started = 0;
    const opts = { tracerProvider: tracing.provider, consumerHook: () => void started++ };
    const producer = kafka.producer();
    const c1 = instrumentConsumer(kafka.consumer({ groupId: `${topic}-g` }), opts);
    const c2 = instrumentConsumer(kafka.consumer({ groupId: `${topic}-g` }), opts);
    const seen = new Set<string>();
    const handler = async ({ message }: { message: KafkaMessage }) => {
      await sleep(5); // slow enough that the rebalance lands mid-stream
      seen.add(String(message.value));
    };
    const n = 400;
    try {
      await Promise.all([producer.connect(), c1.connect(), c2.connect()]);
      await producer.send({ topic, messages: Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: `m${i}` })) });
      await c1.subscribe({ topics: [topic], fromBeginning: true });
      await c1.run({ eachMessage: handler });
      await until(() => seen.size >= 50, 30000, 'the first consumer to be busy');
      await c2.subscribe({ topics: [topic], fromBeginning: true });
      await c2.run({ eachMessage: handler });
      await until(() => seen.size >= n, 90000, `all ${n} messages`);
    } finally {
      await disconnectAll(c1, c2, producer);
      await tracing.forceFlush();
    }
    const processSpans = exporter.getFinishedSpans().filter((s) => s.name === `process ${topic}`);
    await tracing.shutdown();
    assert.equal(seen.size, n, 'every message processed at least once');
    assert.equal(processSpans.length, started, 'every process span that started has ended');
    assert.ok(processSpans.length >= n);
    console.log(`rebalance: ${n} messages, ${processSpans.length} process spans (${processSpans.length - n} redeliveries), all ended`);
  });
});
