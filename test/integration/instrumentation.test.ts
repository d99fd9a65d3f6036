// The drop-in instrumentation on the real broker, checked in the real Jaeger: clients made the ordinary
// way (new Kafka().producer() / .consumer(), Confluent's KafkaJS.Kafka alike) are traced with no wrapper
// call in the application's code, the group read from each consumer's config as traceKafka reads it.
import '../support/drop-in';
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KafkaMessage } from 'kafkajs';
import { JaegerQuery, expectChain, waitForTrace } from '../../src/harness/index';
import { JAEGER_QUERY_URL, uniqueTopic } from '../support/env';
import { collector, createTopics, disconnectAll, testKafka } from '../support/kafka';
import { PROMPT_PRODUCER, confluentKafka, consumerConfig } from '../support/confluent';
import { startServices, traceIdOf } from '../support/services';

const jaeger = new JaegerQuery(JAEGER_QUERY_URL);
const SERVICE = 'it-dropin';
const INSTRUMENTED = Symbol.for('kafkajs-tracing.instrumented');

describe('KafkaTracingInstrumentation on the real broker', () => {
  const services = startServices(SERVICE);
  const kafka = testKafka('it-dropin');
  const confluent = confluentKafka('it-dropin-cf');

  after(async () => {
    await services.shutdown();
  });

  it('kafkajs: three hops through clients the application made itself, one trace, groups on the CONSUMER spans', async () => {
    const [t1, t2] = [uniqueTopic('it-dropin-1'), uniqueTopic('it-dropin-2')];
    await createTopics(kafka, [t1, t2]);
    const producer = kafka.producer();
    const relay = kafka.producer();
    const consumerB = kafka.consumer({ groupId: `${t1}-b` });
    const consumerC = kafka.consumer({ groupId: `${t2}-c` });
    assert.equal((producer as unknown as Record<symbol, unknown>)[INSTRUMENTED], true, 'patched, not wrapped by the test');
    const atC = collector<KafkaMessage>(1);
    try {
      await Promise.all([producer.connect(), relay.connect(), consumerB.connect(), consumerC.connect()]);
      await consumerB.subscribe({ topics: [t1], fromBeginning: true });
      await consumerC.subscribe({ topics: [t2], fromBeginning: true });
      await consumerB.run({ eachMessage: async ({ message }) => void (await relay.send({ topic: t2, messages: [{ value: message.value }] })) });
      await consumerC.run({ eachMessage: async ({ message }) => atC.record(message) });
      await producer.send({ topic: t1, messages: [{ key: 'k', value: 'hello' }] });
      await atC.done;
    } finally {
      await disconnectAll(consumerB, consumerC, producer, relay);
    }
    await services.flush();
    const found = await waitForTrace(jaeger, traceIdOf(atC.items[0]?.headers?.traceparent), { minSpans: 4, timeoutMs: 20000 });
    assert.equal(found.spans.length, 4, 'each hop traced once');
    const [, processB, , processC] = expectChain(found, [
      { name: `send ${t1}`, kind: 'producer', service: SERVICE },
      { name: `process ${t1}`, kind: 'consumer' },
      { name: `send ${t2}`, kind: 'producer' },
      { name: `process ${t2}`, kind: 'consumer' },
    ]);
    assert.equal(processB?.tags['messaging.consumer.group.name'], `${t1}-b`);
    assert.equal(processC?.tags['messaging.consumer.group.name'], `${t2}-c`);
  });

  it("Confluent's KafkaJS.Kafka: producer → consumer, one trace, the group from kafkaJS: { groupId }", async () => {
    const topic = uniqueTopic('it-dropin-cf');
    await createTopics(kafka, [topic]);
    const producer = confluent.producer(PROMPT_PRODUCER);
    const consumer = confluent.consumer(consumerConfig(`${topic}-g`));
    assert.equal((consumer as unknown as Record<symbol, unknown>)[INSTRUMENTED], true, 'patched, not wrapped by the test');
    const got = collector<KafkaMessage>(1);
    try {
      await Promise.all([producer.connect(), consumer.connect()]);
      await consumer.subscribe({ topics: [topic] });
      await consumer.run({ eachMessage: async ({ message }) => got.record(message as unknown as KafkaMessage) });
      await producer.send({ topic, messages: [{ value: 'from confluent' }] });
      await got.done;
    } finally {
      await disconnectAll(consumer, producer);
    }
    await services.flush();
    const header = got.items[0]?.headers?.traceparent;
    const found = await waitForTrace(jaeger, traceIdOf(Array.isArray(header) ? header[0] : header), { minSpans: 2, timeoutMs: 20000 });
    assert.equal(found.spans.length, 2);
    const [, processed] = expectChain(found, [
      { name: `send ${topic}`, kind: 'producer', service: SERVICE },
      { name: `process ${topic}`, kind: 'consumer' },
    ]);
    assert.equal(processed?.tags['messaging.consumer.group.name'], `${topic}-g`);
  });
});
