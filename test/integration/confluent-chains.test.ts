// Confluent's KafkaJS-compatible client (@confluentinc/kafka-javascript) through the same middleware, alone
// and mixed with kafkajs, on the real broker; every chain checked in the real Jaeger.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { context, trace as traceApi } from '@opentelemetry/api';
import { KafkaJS } from '@confluentinc/kafka-javascript';
import type { KafkaMessage } from 'kafkajs';
import { instrumentConsumer, instrumentProducer, traceKafka, withMessageSpan } from '../../src/index';
import { JaegerQuery, expectChain, renderTrace, waitForTrace } from '../../src/harness/index';
import { JAEGER_QUERY_URL, uniqueTopic } from '../support/env';
import { collector, createTopics, disconnectAll, testKafka } from '../support/kafka';
import { PROMPT_PRODUCER, confluentKafka, consumerConfig } from '../support/confluent';
import { startServices, traceIdOf } from '../support/services';

const jaeger = new JaegerQuery(JAEGER_QUERY_URL);
const kafkajs = testKafka('it-confluent-kafkajs');
const confluent = confluentKafka('it-confluent');

/** A header value as text, whatever shape the client gave it (kafkajs: Buffer; Confluent: Buffer or array). */
function headerText(message: { headers?: Record<string, unknown> }, key: string): string {
  const v = message.headers?.[key];
  return String(Array.isArray(v) ? v[0] : v);
}

describe("Confluent's KafkaJS-compatible client, alone and mixed with kafkajs", () => {
  const services = startServices('it-cf-a', 'it-cf-b', 'checkout', 'payments', 'notifications');
  const provider = services.provider;

  after(async () => {
    await services.shutdown();
  });

  it('Confluent producer → kafkajs consumer: one chain, acked offset on the span, the caller message unchanged', async () => {
    const topic = uniqueTopic('it-cf-to-kjs');
    await createTopics(kafkajs, [topic]);
    const producer = instrumentProducer(confluent.producer(PROMPT_PRODUCER), { tracerProvider: provider('it-cf-a') });
    const consumer = instrumentConsumer(kafkajs.consumer({ groupId: `${topic}-g` }), { tracerProvider: provider('it-cf-b'), groupId: `${topic}-g` });
    const got = collector<KafkaMessage>(1);
    const message = { key: 'k1', value: 'from confluent', headers: { 'x-user': 'kept' } };
    const before = structuredClone(message);
    let result;
    try {
      await Promise.all([producer.connect(), consumer.connect()]);
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message: m }) => got.record(m) });
      result = await producer.send({ topic, messages: [message] });
      await got.done;
    } finally {
      await disconnectAll(consumer, producer);
    }
    // Confluent's send() rewrites the messages it is given (headers into an array, value into a Buffer, partition -1).
    assert.deepEqual(message, before, "the caller's message comes back as it was");
    assert.equal(result[0]?.topicName, topic, "the caller gets Confluent's own result");
    const received = got.items[0] as KafkaMessage;
    assert.equal(headerText(received, 'x-user'), 'kept');
    await services.flush();
    const trace = await waitForTrace(jaeger, traceIdOf(received.headers?.traceparent), { minSpans: 2, timeoutMs: 20000 });
    const [send, process] = expectChain(trace, [
      { name: `send ${topic}`, kind: 'producer', service: 'it-cf-a' },
      { name: `process ${topic}`, kind: 'consumer', service: 'it-cf-b' },
    ]);
    assert.equal(send?.tags['messaging.kafka.offset'], Number(received.offset), "the offset from Confluent's ack is on the send span");
    assert.equal(send?.tags['messaging.destination.partition.id'], '0');
    assert.equal(process?.tags['messaging.consumer.group.name'], `${topic}-g`);
  });

  it('a mixed pipeline, service by service: kafkajs checkout → Confluent payments → kafkajs notifications, one trace', async () => {
    const [orders, payments] = [uniqueTopic('it-mixed-orders'), uniqueTopic('it-mixed-payments')];
    await createTopics(kafkajs, [orders, payments]);
    const checkout = instrumentProducer(kafkajs.producer(), { tracerProvider: provider('checkout') });
    // payments has moved to Confluent's client; traceKafka reads its group from kafkaJS: { groupId }.
    const paymentsKafka = traceKafka(confluentKafka('payments'), {
      producer: { tracerProvider: provider('payments') },
      consumer: { tracerProvider: provider('payments') },
    });
    const paymentsIn = paymentsKafka.consumer(consumerConfig(`${orders}-payments`));
    const paymentsOut = paymentsKafka.producer(PROMPT_PRODUCER);
    const notifications = instrumentConsumer(kafkajs.consumer({ groupId: `${payments}-n` }), { tracerProvider: provider('notifications'), groupId: 'notifications' });
    const got = collector<KafkaMessage>(1);
    try {
      await Promise.all([checkout.connect(), paymentsIn.connect(), paymentsOut.connect(), notifications.connect()]);
      await paymentsIn.subscribe({ topics: [orders] });
      await notifications.subscribe({ topics: [payments], fromBeginning: true });
      await paymentsIn.run({
        eachMessage: async ({ message }) => {
          await paymentsOut.send({ topic: payments, messages: [{ key: message.key, value: `paid:${String(message.value)}` }] });
        },
      });
      await notifications.run({ eachMessage: async ({ message }) => got.record(message) });
      await checkout.send({ topic: orders, messages: [{ key: 'o-1', value: '{"total":12}' }] });
      await got.done;
    } finally {
      await disconnectAll(paymentsIn, notifications, checkout, paymentsOut);
    }
    await services.flush();
    const trace = await waitForTrace(jaeger, traceIdOf(got.items[0]?.headers?.traceparent), { minSpans: 4, timeoutMs: 20000 });
    assert.equal(trace.spans.length, 4);
    const [, processOrders] = expectChain(trace, [
      { name: `send ${orders}`, kind: 'producer', service: 'checkout' },
      { name: `process ${orders}`, kind: 'consumer', service: 'payments' },
      { name: `send ${payments}`, kind: 'producer', service: 'payments' },
      { name: `process ${payments}`, kind: 'consumer', service: 'notifications' },
    ]);
    assert.equal(processOrders?.tags['messaging.consumer.group.name'], `${orders}-payments`);
    assert.equal(processOrders?.tags['messaging.client.id'], undefined, 'the client id sits on the Kafka object, which Confluent keeps private');
    if (process.env.PRINT_TRACES) console.log(renderTrace(trace));
  });

  it('kafkajs producer → Confluent eachMessage: Buffer and repeated headers read, latency a real number', async () => {
    const topic = uniqueTopic('it-kjs-to-cf');
    await createTopics(kafkajs, [topic]);
    const producer = instrumentProducer(kafkajs.producer(), { tracerProvider: provider('it-cf-a') });
    const consumer = instrumentConsumer(confluent.consumer(consumerConfig(`${topic}-g`)), { tracerProvider: provider('it-cf-b') });
    const got = collector<KafkaMessage>(1);
    try {
      await Promise.all([producer.connect(), consumer.connect()]);
      await consumer.subscribe({ topics: [topic] });
      await consumer.run({ eachMessage: async ({ message }) => got.record(message) });
      await producer.send({ topic, messages: [{ value: 'from kafkajs', headers: { 'x-rep': ['one', 'two'] } }] });
      await got.done;
    } finally {
      await disconnectAll(consumer, producer);
    }
    const received = got.items[0] as KafkaMessage;
    assert.ok(Array.isArray(received.headers?.['x-rep']), 'Confluent hands a repeated header over as an array');
    assert.ok(Buffer.isBuffer(received.headers?.traceparent), 'and single headers as Buffers');
    await services.flush();
    const trace = await waitForTrace(jaeger, traceIdOf(received.headers?.traceparent), { minSpans: 2, timeoutMs: 20000 });
    const [, process] = expectChain(trace, [
      { name: `send ${topic}`, service: 'it-cf-a' },
      { name: `process ${topic}`, service: 'it-cf-b' },
    ]);
    const latency = process?.tags['messaging.kafka.message.end_to_end_latency_ms'];
    assert.equal(typeof latency, 'number');
    assert.ok(Number.isFinite(latency) && (latency as number) >= 0, `latency ${String(latency)}`);
    assert.equal(process?.tags['messaging.kafka.offset'], Number(received.offset));
  });

  it('a message with no timestamp (Confluent hands over an empty string): no latency attribute, no NaN anywhere', async () => {
    const topic = uniqueTopic('it-cf-nots');
    await createTopics(kafkajs, [topic]);
    const producer = instrumentProducer(kafkajs.producer(), { tracerProvider: provider('it-cf-a') });
    const consumer = instrumentConsumer(confluent.consumer(consumerConfig(`${topic}-g`)), { tracerProvider: provider('it-cf-b') });
    const got = collector<KafkaMessage>(1);
    try {
      await Promise.all([producer.connect(), consumer.connect()]);
      await consumer.subscribe({ topics: [topic] });
      await consumer.run({ eachMessage: async ({ message }) => got.record(message) });
      // CreateTime 0 on the broker: librdkafka reports it as "no timestamp", Confluent's payload as ''.
      await producer.send({ topic, messages: [{ value: 'timeless', timestamp: '0' }] });
      await got.done;
    } finally {
      await disconnectAll(consumer, producer);
    }
    const received = got.items[0] as KafkaMessage;
    assert.equal(received.timestamp, '');
    await services.flush();
    const trace = await waitForTrace(jaeger, traceIdOf(received.headers?.traceparent), { minSpans: 2, timeoutMs: 20000 });
    const [, process] = expectChain(trace, [`send ${topic}`, `process ${topic}`]);
    assert.equal(process?.tags['messaging.kafka.message.end_to_end_latency_ms'], undefined);
    for (const span of trace.spans) {
      for (const [k, v] of Object.entries(span.tags)) assert.ok(!(typeof v === 'number' && !Number.isFinite(v)) && v !== 'NaN', `${span.name} ${k}=${String(v)}`);
    }
  });

  it('Confluent → Confluent eachBatch: client-side batches of at most 32, each message a span in its own trace up to its resolveOffset', async () => {
    const topic = uniqueTopic('it-cf-batch');
    const count = 40;
    await createTopics(kafkajs, [topic]);
    const producer = instrumentProducer(confluent.producer(PROMPT_PRODUCER), { tracerProvider: provider('it-cf-a') });
    const consumer = instrumentConsumer(confluent.consumer(consumerConfig(`${topic}-g`)), { tracerProvider: provider('it-cf-b') });
    const producerSide = instrumentProducer(confluent.producer(PROMPT_PRODUCER), { tracerProvider: provider('it-cf-b') });
    const got = collector<{ message: KafkaMessage; resolvedAtMs: number }>(count, 60000);
    const batchSizes: number[] = [];
    try {
      await Promise.all([producer.connect(), consumer.connect(), producerSide.connect()]);
      // Separate sends: one trace per message.
      await Promise.all(Array.from({ length: count }, (_, i) => producer.send({ topic, messages: [{ value: `m${i}` }] })));
      await consumer.subscribe({ topics: [topic] });
      await consumer.run({
        eachBatch: async ({ batch, resolveOffset }) => {
          batchSizes.push(batch.messages.length);
          for (const message of batch.messages) {
            await withMessageSpan(message, () => producerSide.send({ topic: `${topic}-out`, messages: [{ value: 'x' }] }));
            await new Promise((r) => setTimeout(r, 5));
            resolveOffset(message.offset);
            got.record({ message, resolvedAtMs: Date.now() });
          }
        },
      });
      await got.done;
    } finally {
      await disconnectAll(consumer, producer, producerSide);
    }
    assert.ok(batchSizes.every((n) => n <= 32), `batches of at most 32: ${batchSizes.join(',')}`);
    assert.ok(batchSizes.length >= 2, `40 messages need two batches at least: ${batchSizes.join(',')}`);
    await services.flush();
    const batchSpanIds = new Set<string>();
    for (const { message } of got.items) {
      const trace = await waitForTrace(jaeger, traceIdOf(message.headers?.traceparent), { minSpans: 3, timeoutMs: 20000 });
      const [send, process, out] = expectChain(trace, [`send ${topic}`, `process ${topic}`, `send ${topic}-out`]);
      assert.equal(process?.parentSpanId, send?.spanId);
      assert.equal(out?.parentSpanId, process?.spanId, 'per-message work joins the message trace');
      assert.equal(process?.tags['messaging.kafka.offset'], Number(message.offset));
      assert.equal(process?.links.length, 1, 'the message span links to its batch span');
      batchSpanIds.add(`${process?.links[0]?.traceId}/${process?.links[0]?.spanId}`);
    }
    assert.equal(batchSpanIds.size, batchSizes.length, 'one batch span per delivered batch');
    let total = 0;
    for (const ref of batchSpanIds) {
      const [traceId, spanId] = ref.split('/') as [string, string];
      const batchTrace = await waitForTrace(jaeger, traceId, { minSpans: 1, timeoutMs: 20000 });
      const batchSpan = batchTrace.spans.find((s) => s.spanId === spanId);
      assert.equal(batchSpan?.name, `process ${topic}`);
      total += Number(batchSpan?.tags['messaging.batch.message_count']);
      assert.ok(Number(batchSpan?.tags['messaging.batch.message_count']) <= 32);
    }
    assert.equal(total, count);
  });

  it('Confluent eachBatch without withMessageSpan: each message span ends at the resolveOffset that covers it', async () => {
    const topic = uniqueTopic('it-cf-resolve');
    await createTopics(kafkajs, [topic]);
    const producer = instrumentProducer(confluent.producer(PROMPT_PRODUCER), { tracerProvider: provider('it-cf-a') });
    const consumer = instrumentConsumer(confluent.consumer(consumerConfig(`${topic}-g`)), { tracerProvider: provider('it-cf-b') });
    const got = collector<{ message: KafkaMessage; resolvedAtMs: number }>(3);
    try {
      await Promise.all([producer.connect(), consumer.connect()]);
      for (const v of ['r1', 'r2', 'r3']) await producer.send({ topic, messages: [{ value: v }] });
      await consumer.subscribe({ topics: [topic] });
      await consumer.run({
        eachBatch: async ({ batch, resolveOffset }) => {
          for (const message of batch.messages) {
            await new Promise((r) => setTimeout(r, 40)); // the work for this message
            resolveOffset(message.offset);
            got.record({ message, resolvedAtMs: Date.now() });
          }
          await new Promise((r) => setTimeout(r, 150)); // work after the last resolve: not the messages' time
        },
      });
      await got.done;
    } finally {
      await disconnectAll(consumer, producer);
    }
    await services.flush();
    for (const { message, resolvedAtMs } of got.items) {
      const trace = await waitForTrace(jaeger, traceIdOf(message.headers?.traceparent), { minSpans: 2, timeoutMs: 20000 });
      const [, process] = expectChain(trace, [`send ${topic}`, `process ${topic}`]);
      const endMs = ((process?.startUs ?? 0) + (process?.durationUs ?? 0)) / 1000;
      assert.ok(Math.abs(endMs - resolvedAtMs) < 15, `span of offset ${message.offset} ends at its resolveOffset (${endMs - resolvedAtMs} ms off)`);
      assert.ok((process?.durationUs ?? 0) >= 35_000, 'and covers the work since the previous resolve');
    }
  });

  it('Confluent sendBatch to several topics → Confluent consumer: one send span, each consumer span under its own create span', async () => {
    const [t1, t2] = [uniqueTopic('it-cf-sb1'), uniqueTopic('it-cf-sb2')];
    await createTopics(kafkajs, [t1, t2]);
    const producer = instrumentProducer(confluent.producer(PROMPT_PRODUCER), { tracerProvider: provider('it-cf-a') });
    const consumer = instrumentConsumer(confluent.consumer(consumerConfig(`${t1}-g`)), { tracerProvider: provider('it-cf-b') });
    const got = collector<{ topic: string; message: KafkaMessage }>(4);
    const batch = {
      topicMessages: [
        { topic: t1, messages: [{ value: 'a1', headers: { 'x-n': '1' } }, { value: 'a2' }] },
        { topic: t2, messages: [{ value: 'b1' }, { value: 'b2' }] },
      ],
    };
    const before = structuredClone(batch);
    try {
      await Promise.all([producer.connect(), consumer.connect()]);
      await consumer.subscribe({ topics: [t1, t2] });
      await consumer.run({ eachMessage: async ({ topic, message }) => got.record({ topic, message }) });
      await producer.sendBatch(batch);
      await got.done;
    } finally {
      await disconnectAll(consumer, producer);
    }
    assert.deepEqual(batch, before, "the caller's batch comes back as it was");
    await services.flush();
    const traceIds = new Set(got.items.map((i) => traceIdOf(i.message.headers?.traceparent)));
    assert.equal(traceIds.size, 1, 'one sendBatch call, one trace');
    const trace = await waitForTrace(jaeger, [...traceIds][0] as string, { minSpans: 9, timeoutMs: 20000 });
    const send = trace.spans.filter((s) => s.name === 'send');
    assert.equal(send.length, 1);
    for (const { topic, message } of got.items) {
      const spanId = headerText(message, 'traceparent').split('-')[2];
      const create = trace.spans.find((s) => s.spanId === spanId);
      assert.equal(create?.name, `create ${topic}`);
      assert.equal(create?.parentSpanId, send[0]?.spanId);
      const processes = trace.spans.filter((s) => s.name === `process ${topic}` && s.parentSpanId === spanId);
      assert.equal(processes.length, 1, `one process span under create span ${spanId}`);
      assert.equal(processes[0]?.tags['messaging.kafka.offset'], Number(message.offset));
    }
  });

  it('a Confluent handler that throws once: error recorded, message redelivered, both attempts in the trace', async () => {
    const topic = uniqueTopic('it-cf-retry');
    await createTopics(kafkajs, [topic]);
    const producer = instrumentProducer(confluent.producer(PROMPT_PRODUCER), { tracerProvider: provider('it-cf-a') });
    const consumer = instrumentConsumer(confluent.consumer(consumerConfig(`${topic}-g`)), { tracerProvider: provider('it-cf-b') });
    let attempts = 0;
    const got = collector<KafkaMessage>(1);
    try {
      await Promise.all([producer.connect(), consumer.connect()]);
      await consumer.subscribe({ topics: [topic] });
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
    assert.equal(processes[0]?.tags['error.type'], 'Error');
    assert.equal(processes[1]?.error, false);
  });

  it('malformed trace headers into a Confluent consumer: a new root, the message processed once', async () => {
    const topic = uniqueTopic('it-cf-malformed');
    await createTopics(kafkajs, [topic]);
    const plain = confluent.producer(PROMPT_PRODUCER); // not instrumented: the headers go out as written
    const consumer = instrumentConsumer(confluent.consumer(consumerConfig(`${topic}-g`)), { tracerProvider: provider('it-cf-b') });
    const got = collector<{ message: KafkaMessage; traceId: string }>(1);
    const bogus = '00-zzzz-not-a-trace-01';
    try {
      await Promise.all([plain.connect(), consumer.connect()]);
      await consumer.subscribe({ topics: [topic] });
      await consumer.run({
        eachMessage: async ({ message }) => {
          got.record({ message, traceId: traceApi.getActiveSpan()?.spanContext().traceId ?? '' });
        },
      });
      await plain.send({ topic, messages: [{ value: 'bad headers', headers: { traceparent: [bogus, bogus], tracestate: Buffer.from([0xff, 0xfe]), baggage: '%%%' } }] });
      await got.done;
    } finally {
      await disconnectAll(consumer, plain);
    }
    assert.equal(got.items.length, 1);
    const { message, traceId } = got.items[0] as { message: KafkaMessage; traceId: string };
    assert.equal(String(message.value), 'bad headers');
    assert.match(traceId, /^[0-9a-f]{32}$/, 'the handler ran inside a span');
    await services.flush();
    const trace = await waitForTrace(jaeger, traceId, { minSpans: 1, timeoutMs: 20000 });
    assert.equal(trace.spans.length, 1);
    assert.equal(trace.spans[0]?.name, `process ${topic}`);
    assert.equal(trace.spans[0]?.parentSpanId, undefined, 'a new root');
  });

  it('a message Confluent already rewrote, sent again: traced or not, the client answers the same', async () => {
    const topic = uniqueTopic('it-cf-resend');
    await createTopics(kafkajs, [topic]);
    const plain = confluent.producer(PROMPT_PRODUCER);
    const producer = instrumentProducer(confluent.producer(PROMPT_PRODUCER), { tracerProvider: provider('it-cf-a') });
    const message = { value: 'again', headers: { traceparent: '00-c0ffee00c0ffee00c0ffee00c0ffee00-00f067aa0ba902b7-01', 'x-user': 'u' } };
    let untraced: unknown;
    let traced: unknown;
    try {
      await Promise.all([plain.connect(), producer.connect()]);
      await plain.send({ topic, messages: [message] }); // Confluent rewrites message.headers in place
      assert.ok(Array.isArray(message.headers), "Confluent's send() left the headers as a list");
      const rewritten = JSON.stringify(message);
      untraced = await plain.send({ topic, messages: [{ ...message }] }).catch((err: unknown) => err);
      traced = await producer.send({ topic, messages: [message] }).catch((err: unknown) => err);
      assert.equal(JSON.stringify(message), rewritten, 'the message is left as it was');
    } finally {
      await disconnectAll(plain, producer);
    }
    assert.ok(untraced instanceof Error, 'Confluent rejects its own rewritten headers');
    assert.ok(traced instanceof Error, 'and still does with tracing on');
    assert.equal(traced.message, untraced.message);
  });

  it("send() with acks: Confluent's own error reaches the caller, and the span records it", async () => {
    const topic = uniqueTopic('it-cf-acks');
    const producer = instrumentProducer(confluent.producer(PROMPT_PRODUCER), { tracerProvider: provider('it-cf-a') });
    const tracer = provider('it-cf-a').getTracer('it');
    const parent = tracer.startSpan('caller');
    let rejected: unknown;
    try {
      await producer.connect();
      const record = { topic, acks: -1, messages: [{ value: 'x' }] };
      await context.with(traceApi.setSpan(context.active(), parent), () => producer.send(record)).catch((err: unknown) => {
        rejected = err;
      });
    } finally {
      parent.end();
      await disconnectAll(producer);
    }
    assert.ok(rejected instanceof KafkaJS.KafkaJSError, 'the client rejects acks on send()');
    assert.match((rejected as Error).message, /acks/);
    await services.flush();
    const trace = await waitForTrace(jaeger, parent.spanContext().traceId, { minSpans: 2, timeoutMs: 20000 });
    const send = trace.spans.find((s) => s.name === `send ${topic}`);
    assert.equal(send?.error, true);
    assert.equal(send?.parentSpanId, parent.spanContext().spanId);
  });

  it('traceKafka on a Confluent client: groupId from kafkaJS.groupId on the process spans', async () => {
    const topic = uniqueTopic('it-cf-tracekafka');
    const groupId = `${topic}-g`;
    await createTopics(kafkajs, [topic]);
    const traced = traceKafka(confluentKafka('it-cf-traced'), {
      producer: { tracerProvider: provider('it-cf-a') },
      consumer: { tracerProvider: provider('it-cf-b') },
    });
    const producer = traced.producer(PROMPT_PRODUCER);
    const consumer = traced.consumer(consumerConfig(groupId));
    const got = collector<KafkaJS.KafkaMessage>(1);
    try {
      await Promise.all([producer.connect(), consumer.connect()]);
      await consumer.subscribe({ topics: [topic] });
      await consumer.run({ eachMessage: async ({ message }) => got.record(message) });
      await producer.send({ topic, messages: [{ value: 'traced client' }] });
      await got.done;
    } finally {
      await disconnectAll(consumer, producer);
    }
    await services.flush();
    const trace = await waitForTrace(jaeger, traceIdOf(got.items[0]?.headers?.traceparent), { minSpans: 2, timeoutMs: 20000 });
    const [, process] = expectChain(trace, [
      { name: `send ${topic}`, service: 'it-cf-a' },
      { name: `process ${topic}`, service: 'it-cf-b' },
    ]);
    assert.equal(process?.tags['messaging.consumer.group.name'], groupId);
  });

  it('a Confluent transaction: transaction() first, send and sendOffsets(consumer) inside, consumed in the same trace', async () => {
    const [input, output] = [uniqueTopic('it-cf-tx-in'), uniqueTopic('it-cf-tx-out')];
    await createTopics(kafkajs, [input, output]);
    const seed = instrumentProducer(confluent.producer(PROMPT_PRODUCER), { tracerProvider: provider('it-cf-a') });
    const txProducer = instrumentProducer(
      confluent.producer({ ...PROMPT_PRODUCER, kafkaJS: { transactionalId: `${input}-tx`, idempotent: true } }),
      { tracerProvider: provider('it-cf-b') },
    );
    const rawTxConsumer = confluent.consumer(consumerConfig(`${input}-g`, { kafkaJS: { groupId: `${input}-g`, autoCommit: false } }));
    const txConsumer = instrumentConsumer(rawTxConsumer, { tracerProvider: provider('it-cf-b') });
    const sink = instrumentConsumer(confluent.consumer(consumerConfig(`${output}-g`, { kafkaJS: { groupId: `${output}-g`, readUncommitted: false } })), {
      tracerProvider: provider('it-cf-a'),
    });
    const got = collector<KafkaMessage>(1);
    try {
      await Promise.all([seed.connect(), txProducer.connect(), txConsumer.connect(), sink.connect()]);
      await txConsumer.subscribe({ topics: [input] });
      await sink.subscribe({ topics: [output] });
      await sink.run({ eachMessage: async ({ message }) => got.record(message) });
      await txConsumer.run({
        eachMessage: async ({ topic, partition, message }) => {
          const tx = await txProducer.transaction();
          await tx.send({ topic: output, messages: [{ value: message.value }] });
          // Confluent's sendOffsets takes the consumer itself (the instrumented one is the same object).
          await tx.sendOffsets({
            consumer: txConsumer,
            topics: [{ topic, partitions: [{ partition, offset: String(Number(message.offset) + 1) }] }],
          });
          await tx.commit();
        },
      });
      await seed.send({ topic: input, messages: [{ value: 'exactly once' }] });
      await got.done;
    } finally {
      await disconnectAll(txConsumer, sink, seed, txProducer);
    }
    await services.flush();
    const trace = await waitForTrace(jaeger, traceIdOf(got.items[0]?.headers?.traceparent), { minSpans: 4, timeoutMs: 20000 });
    expectChain(trace, [
      { name: `send ${input}`, service: 'it-cf-a' },
      { name: `process ${input}`, service: 'it-cf-b' },
      { name: `send ${output}`, service: 'it-cf-b' },
      { name: `process ${output}`, service: 'it-cf-a' },
    ]);
  });
});
