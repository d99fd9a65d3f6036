// @platformatic/kafka traced through its TracingChannels (tracePlatformaticKafka), on the real broker,
// alone and in a pipeline that crosses kafkajs and Confluent's client and comes back; every chain checked in
// the real Jaeger. The client needs Node.js >= 22.22 / >= 24.6: on other lines the suite skips, saying so.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KafkaMessage } from 'kafkajs';
import { instrumentConsumer, instrumentProducer, tracePlatformaticKafka, withPlatformaticMessageSpan, type PlatformaticKafkaTracing, type PlatformaticMessage } from '../../src/index';
import { JaegerQuery, expectChain, renderTrace, waitForTrace } from '../../src/harness/index';
import { JAEGER_QUERY_URL, KAFKA_BROKERS, uniqueTopic } from '../support/env';
import { collector, createTopics, disconnectAll, testKafka } from '../support/kafka';
import { PROMPT_PRODUCER, confluentKafka, consumerConfig } from '../support/confluent';
import { platformaticSkip } from '../support/platformatic';
import { startServices, traceIdOf } from '../support/services';

type Platformatic = typeof import('@platformatic/kafka', { with: { 'resolution-mode': 'import' } });

const jaeger = new JaegerQuery(JAEGER_QUERY_URL);
const kafkajs = testKafka('it-plt-kafkajs');

/** A header of a platformatic message (default deserializers: Buffer keys and values) as text. */
function header(message: PlatformaticMessage, key: string): string | undefined {
  for (const [k, v] of message.headers) if (String(k) === key) return String(v);
  return undefined;
}

describe('@platformatic/kafka through its TracingChannels, on the real broker', { skip: platformaticSkip }, () => {
  const services = platformaticSkip ? undefined : startServices('checkout', 'ledger', 'payments', 'notifications');
  let plt!: Platformatic;
  let tracing: PlatformaticKafkaTracing | undefined;
  const closers: (() => Promise<unknown>)[] = [];

  before(async () => {
    plt = (await import('@platformatic/kafka')) as Platformatic;
    tracing = tracePlatformaticKafka({ tracerProvider: services?.provider('ledger') });
  });
  after(async () => {
    await Promise.all(closers.map((close) => close().catch(() => undefined)));
    tracing?.disable();
    await services?.shutdown();
  });

  const producer = (clientId: string) => {
    const p = new plt.Producer({ clientId, bootstrapBrokers: KAFKA_BROKERS });
    closers.push(() => p.close());
    return p;
  };
  const stream = async (clientId: string, groupId: string, topic: string) => {
    const c = new plt.Consumer({ clientId, groupId, bootstrapBrokers: KAFKA_BROKERS, maxWaitTime: 100 });
    closers.push(() => c.close(true));
    return c.consume({ topics: [topic], mode: plt.MessagesStreamModes.EARLIEST, autocommit: true, maxWaitTime: 100 });
  };

  it('platformatic → platformatic: send/create spans, one process span per message in its own trace, the caller objects unchanged', async () => {
    const topic = uniqueTopic('it-plt-alone');
    await createTopics(kafkajs, [topic]);
    const out = producer('it-plt-out');
    const messages = [
      { topic, key: Buffer.from('o-1'), value: Buffer.from('one'), headers: new Map([[Buffer.from('x-user'), Buffer.from('kept')]]) },
      { topic, key: Buffer.from('o-2'), value: Buffer.from('two') },
    ];
    const options = { messages };
    const result = await out.send(options);
    assert.equal(messages[0]?.headers?.size, 1, "the caller's headers are not written to");
    assert.equal(Object.prototype.hasOwnProperty.call(messages[1], 'headers'), false, "the caller's message is not written to");
    assert.equal(result.offsets?.length, 1, "the caller gets the client's own result");
    const got: PlatformaticMessage[] = [];
    const messagesIn = await stream('it-plt-in', `${topic}-g`, topic);
    for await (const message of messagesIn) {
      got.push(message);
      if (got.length === 2) break;
    }
    const [first, second] = got as [PlatformaticMessage, PlatformaticMessage];
    assert.equal(header(first, 'x-user'), 'kept');
    assert.notEqual(traceIdOf(header(first, 'traceparent')), undefined);
    await services?.flush();
    const trace = await waitForTrace(jaeger, traceIdOf(header(first, 'traceparent')), { minSpans: 3, timeoutMs: 20000 });
    const [send, create, processSpan] = expectChain(trace, [
      { name: `send ${topic}`, kind: 'producer', service: 'ledger' },
      { name: `create ${topic}`, kind: 'producer', service: 'ledger' },
      { name: `process ${topic}`, kind: 'consumer', service: 'ledger' },
    ]);
    assert.equal(send?.tags['messaging.batch.message_count'], 2);
    assert.equal(send?.tags['messaging.client.id'], 'it-plt-out');
    assert.equal(create?.tags['messaging.kafka.message.key'], 'o-1');
    assert.equal(processSpan?.tags['messaging.consumer.group.name'], `${topic}-g`);
    assert.equal(processSpan?.tags['messaging.client.id'], 'it-plt-in');
    assert.equal(processSpan?.tags['messaging.kafka.offset'], Number(first.offset));
    assert.equal(processSpan?.tags['messaging.destination.partition.id'], '0');
    assert.equal(traceIdOf(header(second, 'traceparent')), traceIdOf(header(first, 'traceparent')), 'both messages of one call in the call\'s trace');
    if (process.env.PRINT_TRACES) console.log(renderTrace(trace));
  });

  it('kafkajs → platformatic → Confluent → platformatic → kafkajs: one trace, each hop the child of the one before', async () => {
    const [orders, ledger, payments, receipts] = ['orders', 'ledger', 'payments', 'receipts'].map((t) => uniqueTopic(`it-plt-${t}`)) as [string, string, string, string];
    await createTopics(kafkajs, [orders, ledger, payments, receipts]);
    const provider = (name: 'checkout' | 'payments' | 'notifications') => services?.provider(name);
    const checkout = instrumentProducer(kafkajs.producer(), { tracerProvider: provider('checkout') });
    const confluent = confluentKafka('payments');
    const paymentsIn = instrumentConsumer(confluent.consumer(consumerConfig(`${ledger}-payments`)), { tracerProvider: provider('payments') });
    const paymentsOut = instrumentProducer(confluent.producer(PROMPT_PRODUCER), { tracerProvider: provider('payments') });
    const notifications = instrumentConsumer(kafkajs.consumer({ groupId: `${receipts}-n` }), { tracerProvider: provider('notifications'), groupId: 'notifications' });
    const ledgerOut = producer('ledger');
    const got = collector<KafkaMessage>(1);
    try {
      await Promise.all([checkout.connect(), paymentsIn.connect(), paymentsOut.connect(), notifications.connect()]);
      // Hop 2, read with for await: the handler's produce joins the trace through withPlatformaticMessageSpan.
      const fromOrders = await stream('ledger-orders', `${orders}-ledger`, orders);
      void (async () => {
        for await (const message of fromOrders) {
          await withPlatformaticMessageSpan(message, () => ledgerOut.send({ messages: [{ topic: ledger, key: message.key, value: message.value }] }));
        }
      })().catch(() => undefined);
      // Hop 4, a flowing stream's 'data' listener: the process span lasts until the handler's promise settles.
      const fromPayments = await stream('ledger-payments', `${payments}-ledger`, payments);
      fromPayments.on('data', (message: PlatformaticMessage) => {
        void withPlatformaticMessageSpan(message, () => ledgerOut.send({ messages: [{ topic: receipts, value: Buffer.from(`receipt:${String(message.value)}`) }] })).catch(() => undefined);
      });
      await paymentsIn.subscribe({ topics: [ledger] });
      await paymentsIn.run({
        eachMessage: async ({ message }) => {
          await paymentsOut.send({ topic: payments, messages: [{ key: message.key, value: `paid:${String(message.value)}` }] });
        },
      });
      await notifications.subscribe({ topics: [receipts], fromBeginning: true });
      await notifications.run({ eachMessage: async ({ message }) => got.record(message) });
      await checkout.send({ topic: orders, messages: [{ key: 'o-1', value: '{"total":12}' }] });
      await got.done;
    } finally {
      await disconnectAll(paymentsIn, notifications, checkout, paymentsOut);
    }
    assert.equal(String(got.items[0]?.value), 'receipt:paid:{"total":12}');
    await services?.flush();
    const trace = await waitForTrace(jaeger, traceIdOf(got.items[0]?.headers?.traceparent), { minSpans: 8, timeoutMs: 20000 });
    assert.equal(trace.spans.length, 8);
    const chain = expectChain(trace, [
      { name: `send ${orders}`, kind: 'producer', service: 'checkout' },
      { name: `process ${orders}`, kind: 'consumer', service: 'ledger' },
      { name: `send ${ledger}`, kind: 'producer', service: 'ledger' },
      { name: `process ${ledger}`, kind: 'consumer', service: 'payments' },
      { name: `send ${payments}`, kind: 'producer', service: 'payments' },
      { name: `process ${payments}`, kind: 'consumer', service: 'ledger' },
      { name: `send ${receipts}`, kind: 'producer', service: 'ledger' },
      { name: `process ${receipts}`, kind: 'consumer', service: 'notifications' },
    ]);
    const [, afterDelivery, , , , flowing, flowingSend] = chain;
    assert.equal(afterDelivery?.tags['messaging.consumer.group.name'], `${orders}-ledger`);
    // The 'data' listener ran inside the push: its span covers the handler's send, acked by the broker.
    assert.ok(flowing && flowingSend && flowing.startUs + flowing.durationUs >= flowingSend.startUs + flowingSend.durationUs, 'the flowing process span outlasts its send');
    if (process.env.PRINT_TRACES) console.log(renderTrace(trace));
  });
});

