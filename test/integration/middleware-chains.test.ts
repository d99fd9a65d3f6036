// Produce→consume chains through the real broker, found and checked in the real Jaeger with the harness.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KafkaMessage } from 'kafkajs';
import { instrumentConsumer, instrumentProducer, withMessageSpan } from '../../src/index';
import { JaegerQuery, expectChain, waitForTrace } from '../../src/harness/index';
import { JAEGER_QUERY_URL, uniqueTopic } from '../support/env';
import { collector, createTopics, disconnectAll, testKafka } from '../support/kafka';
import { startServices, traceIdOf } from '../support/services';

const jaeger = new JaegerQuery(JAEGER_QUERY_URL);
const kafka = testKafka('it-chains');

describe('middleware chains on the real broker, checked in the real Jaeger', () => {
  const services = startServices('it-svc-a', 'it-svc-b', 'it-svc-c');
  const provider = services.provider;

  after(async () => {
    await services.shutdown();
  });

  it('three hops: A sends to topic 1, B consumes and sends to topic 2, C consumes', async () => {
    const [t1, t2] = [uniqueTopic('it-hop1'), uniqueTopic('it-hop2')];
    await createTopics(kafka, [t1, t2]);
    const producerA = instrumentProducer(kafka.producer(), { tracerProvider: provider('it-svc-a') });
    const producerB = instrumentProducer(kafka.producer(), { tracerProvider: provider('it-svc-b') });
    const consumerB = instrumentConsumer(kafka.consumer({ groupId: `${t1}-b` }), { tracerProvider: provider('it-svc-b') });
    const consumerC = instrumentConsumer(kafka.consumer({ groupId: `${t2}-c` }), { tracerProvider: provider('it-svc-c') });
    const atC = collector<KafkaMessage>(1);
    try {
      await Promise.all([producerA.connect(), producerB.connect(), consumerB.connect(), consumerC.connect()]);
      await consumerB.subscribe({ topics: [t1], fromBeginning: true });
      await consumerC.subscribe({ topics: [t2], fromBeginning: true });
      await consumerB.run({
        eachMessage: async ({ message }) => {
          await producerB.send({ topic: t2, messages: [{ key: 'k', value: message.value }] });
        },
      });
      await consumerC.run({ eachMessage: async ({ message }) => atC.record(message) });
      await producerA.send({ topic: t1, messages: [{ key: 'k', value: 'hello' }] });
      await atC.done;
    } finally {
      await disconnectAll(consumerB, consumerC, producerA, producerB);
    }
    await services.flush();
    const traceId = traceIdOf(atC.items[0]?.headers?.traceparent);
    const trace = await waitForTrace(jaeger, traceId, { minSpans: 4, timeoutMs: 20000 });
    assert.equal(trace.spans.length, 4);
    expectChain(trace, [
      { name: `send ${t1}`, kind: 'producer', service: 'it-svc-a' },
      { name: `process ${t1}`, kind: 'consumer', service: 'it-svc-b' },
      { name: `send ${t2}`, kind: 'producer', service: 'it-svc-b' },
      { name: `process ${t2}`, kind: 'consumer', service: 'it-svc-c' },
    ]);
  });

  it('sendBatch over two topics: each consumer span is the child of its own message span', async () => {
    const [t1, t2] = [uniqueTopic('it-batch1'), uniqueTopic('it-batch2')];
    await createTopics(kafka, [t1, t2]);
    const producer = instrumentProducer(kafka.producer(), { tracerProvider: provider('it-svc-a') });
    const consumer = instrumentConsumer(kafka.consumer({ groupId: `${t1}-g` }), { tracerProvider: provider('it-svc-b') });
    const got = collector<{ topic: string; message: KafkaMessage }>(4);
    try {
      await Promise.all([producer.connect(), consumer.connect()]);
      await consumer.subscribe({ topics: [t1, t2], fromBeginning: true });
      await consumer.run({ eachMessage: async ({ topic, message }) => got.record({ topic, message }) });
      await producer.sendBatch({
        topicMessages: [
          { topic: t1, messages: [{ value: 'a1' }, { value: 'a2' }] },
          { topic: t2, messages: [{ value: 'b1' }, { value: 'b2' }] },
        ],
      });
      await got.done;
    } finally {
      await disconnectAll(consumer, producer);
    }
    await services.flush();
    const traceIds = new Set(got.items.map((i) => traceIdOf(i.message.headers?.traceparent)));
    assert.equal(traceIds.size, 1, 'one send call, one trace');
    const [traceId] = traceIds as Set<string>;
    // 1 send + 4 create + 4 process
    const trace = await waitForTrace(jaeger, traceId as string, { minSpans: 9, timeoutMs: 20000 });
    const send = trace.spans.filter((s) => s.name === 'send');
    assert.equal(send.length, 1, 'one send span for the call');
    for (const { topic, message } of got.items) {
      const spanId = String(message.headers?.traceparent).split('-')[2];
      const create = trace.spans.find((s) => s.spanId === spanId);
      assert.equal(create?.name, `create ${topic}`, 'the message carries its own create span');
      assert.equal(create?.parentSpanId, send[0]?.spanId);
      const processes = trace.spans.filter((s) => s.name === `process ${topic}` && s.parentSpanId === spanId);
      assert.equal(processes.length, 1, `exactly one process span under create span ${spanId}`);
      assert.equal(processes[0]?.tags['messaging.kafka.offset'], Number(message.offset));
    }
  });

  it('eachBatch: a linked batch span, and per message a process span in the message trace', async () => {
    const topic = uniqueTopic('it-eachbatch');
    await createTopics(kafka, [topic]);
    const producer = instrumentProducer(kafka.producer(), { tracerProvider: provider('it-svc-a') });
    const consumer = instrumentConsumer(kafka.consumer({ groupId: `${topic}-g` }), { tracerProvider: provider('it-svc-b') });
    const got = collector<KafkaMessage>(3);
    const producerSide = instrumentProducer(kafka.producer(), { tracerProvider: provider('it-svc-b') });
    try {
      await Promise.all([producer.connect(), consumer.connect(), producerSide.connect()]);
      // Three separate sends: three traces, delivered (most likely) in one batch.
      for (const v of ['m1', 'm2', 'm3']) await producer.send({ topic, messages: [{ value: v }] });
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        eachBatch: async ({ batch, resolveOffset }) => {
          for (const message of batch.messages) {
            // per-message work inside the message's own span: joins that message's trace
            await withMessageSpan(message, () => producerSide.send({ topic: `${topic}-out`, messages: [{ value: 'x' }] }));
            resolveOffset(message.offset);
            got.record(message);
          }
        },
      });
      await got.done;
    } finally {
      await disconnectAll(consumer, producer, producerSide);
    }
    await services.flush();
    for (const message of got.items) {
      const traceId = traceIdOf(message.headers?.traceparent);
      const trace = await waitForTrace(jaeger, traceId, { minSpans: 3, timeoutMs: 20000 });
      const [send, process, out] = expectChain(trace, [`send ${topic}`, `process ${topic}`, `send ${topic}-out`]);
      assert.equal(process?.parentSpanId, send?.spanId);
      assert.equal(out?.parentSpanId, process?.spanId);
      assert.ok(process?.links.length, 'the message span links to its batch span');
      // The batch span lives in another trace and links back to this message's producer span.
      const batchSpanRef = process?.links[0];
      const batchTrace = await waitForTrace(jaeger, batchSpanRef?.traceId as string, { minSpans: 1, timeoutMs: 20000 });
      const batchSpan = batchTrace.spans.find((s) => s.spanId === batchSpanRef?.spanId);
      assert.equal(batchSpan?.name, `process ${topic}`);
      assert.ok(batchSpan?.links.some((l) => l.spanId === send?.spanId), 'the batch span links to the message');
    }
  });

  it('a transaction: send inside a transaction is traced and consumed in the same trace', async () => {
    const topic = uniqueTopic('it-tx');
    await createTopics(kafka, [topic]);
    const producer = instrumentProducer(
      kafka.producer({ transactionalId: `${topic}-tx`, idempotent: true, maxInFlightRequests: 1 }),
      { tracerProvider: provider('it-svc-a') },
    );
    const consumer = instrumentConsumer(kafka.consumer({ groupId: `${topic}-g`, readUncommitted: false }), {
      tracerProvider: provider('it-svc-b'),
    });
    const got = collector<KafkaMessage>(1);
    try {
      await Promise.all([producer.connect(), consumer.connect()]);
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => got.record(message) });
      const tx = await producer.transaction();
      await tx.send({ topic, messages: [{ value: 'in a transaction' }] });
      await tx.commit();
      await got.done;
    } finally {
      await disconnectAll(consumer, producer);
    }
    await services.flush();
    const trace = await waitForTrace(jaeger, traceIdOf(got.items[0]?.headers?.traceparent), { minSpans: 2, timeoutMs: 20000 });
    expectChain(trace, [
      { name: `send ${topic}`, service: 'it-svc-a' },
      { name: `process ${topic}`, service: 'it-svc-b' },
    ]);
  });

  it('a handler that throws once: both attempts visible, the message is processed on redelivery', async () => {
    const topic = uniqueTopic('it-retry');
    await createTopics(kafka, [topic]);
    const producer = instrumentProducer(kafka.producer(), { tracerProvider: provider('it-svc-a') });
    const consumer = instrumentConsumer(
      kafka.consumer({ groupId: `${topic}-g`, retry: { initialRetryTime: 100, retries: 5 } }),
      { tracerProvider: provider('it-svc-b') },
    );
    let attempts = 0;
    const got = collector<KafkaMessage>(1);
    try {
      await Promise.all([producer.connect(), consumer.connect()]);
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          attempts++;
          if (attempts === 1) throw new Error('transient failure');
          got.record(message);
        },
      });
      await producer.send({ topic, messages: [{ value: 'retry me' }] });
      await got.done;
    } finally {
      await disconnectAll(consumer, producer);
    }
    assert.equal(attempts, 2);
    await services.flush();
    const trace = await waitForTrace(jaeger, traceIdOf(got.items[0]?.headers?.traceparent), { minSpans: 3, timeoutMs: 20000 });
    const send = trace.spans.find((s) => s.name === `send ${topic}`);
    const processes = trace.spans.filter((s) => s.name === `process ${topic}`).sort((a, b) => a.startUs - b.startUs);
    assert.equal(processes.length, 2, 'both attempts are in the trace');
    assert.ok(processes.every((p) => p.parentSpanId === send?.spanId));
    assert.equal(processes[0]?.error, true, 'the failed attempt is marked as an error');
    assert.equal(processes[1]?.error, false);
  });

  it('continues a trace from a plain, uninstrumented producer that wrote traceparent by hand', async () => {
    const topic = uniqueTopic('it-handwritten');
    await createTopics(kafka, [topic]);
    const plain = kafka.producer(); // not instrumented
    const consumer = instrumentConsumer(kafka.consumer({ groupId: `${topic}-g` }), { tracerProvider: provider('it-svc-c') });
    const traceId = [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
    const parentSpanId = 'a1b2c3d4e5f60718';
    const got = collector<KafkaMessage>(1);
    try {
      await Promise.all([plain.connect(), consumer.connect()]);
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => got.record(message) });
      await plain.send({ topic, messages: [{ value: 'from elsewhere', headers: { traceparent: `00-${traceId}-${parentSpanId}-01` } }] });
      await got.done;
    } finally {
      await disconnectAll(consumer, plain);
    }
    await services.flush();
    const trace = await waitForTrace(jaeger, traceId, { minSpans: 1, timeoutMs: 20000 });
    const process = trace.spans.find((s) => s.name === `process ${topic}`);
    assert.ok(process, 'the process span is in the hand-written trace');
    assert.equal(process.parentSpanId, parentSpanId);
    assert.equal(process.service, 'it-svc-c');
  });
});
