// startTracing's export path against the real Jaeger: the resource arrives, shutdown() flushes
// everything, and an unreachable Jaeger never breaks producing or consuming.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KafkaMessage } from 'kafkajs';
import { instrumentConsumer, instrumentProducer } from '../../src/index';
import { startTracing } from '../../src/setup/index';
import { JaegerQuery, waitForTrace } from '../../src/harness/index';
import { JAEGER_AGENT, JAEGER_ENDPOINT, JAEGER_QUERY_URL, uniqueTopic } from '../support/env';
import { collector, createTopics, disconnectAll, testKafka } from '../support/kafka';
import { traceIdOf } from '../support/services';

const jaeger = new JaegerQuery(JAEGER_QUERY_URL);
const kafka = testKafka('it-export');

async function roundTrip(topic: string, count: number, producerOpts: object, consumerOpts: object): Promise<KafkaMessage[]> {
  const producer = instrumentProducer(kafka.producer(), producerOpts);
  const consumer = instrumentConsumer(kafka.consumer({ groupId: `${topic}-g` }), consumerOpts);
  const got = collector<KafkaMessage>(count);
  try {
    await Promise.all([producer.connect(), consumer.connect()]);
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => got.record(message) });
    for (let i = 0; i < count; i++) await producer.send({ topic, messages: [{ key: `k${i}`, value: `v${i}` }] });
    return await got.done;
  } finally {
    await disconnectAll(consumer, producer);
  }
}

describe('export to the real Jaeger', () => {
  it('the agent path (Thrift over UDP, @opentelemetry/exporter-jaeger) reaches Jaeger too', async () => {
    const topic = uniqueTopic('it-agent');
    await createTopics(kafka, [topic]);
    const serviceName = `it-agent-${Date.now().toString(36)}`;
    const tracing = startTracing({ serviceName, register: false, jaeger: { agentHost: JAEGER_AGENT.host, agentPort: JAEGER_AGENT.port } });
    let messages: KafkaMessage[];
    try {
      messages = await roundTrip(topic, 3, { tracerProvider: tracing.provider }, { tracerProvider: tracing.provider });
    } finally {
      await tracing.shutdown();
    }
    assert.equal(tracing.exportStats().exportedSpans, 6);
    for (const message of messages) {
      const trace = await waitForTrace(jaeger, traceIdOf(message.headers?.traceparent), { minSpans: 2, timeoutMs: 15000 });
      assert.deepEqual(trace.spans.map((s) => s.service), [serviceName, serviceName]);
      const [send, process] = [...trace.spans].sort((a, b) => a.name.localeCompare(b.name)).reverse();
      assert.equal(process?.parentSpanId, send?.spanId, 'the process span is the child of the send span');
    }
  });


  // The default (OTLP/HTTP protobuf to :4318) and Jaeger Thrift (:14268), both encoded as spans end.
  for (const [path, choice] of [['OTLP, the default', {}], ['Jaeger Thrift', { exporter: 'jaeger', jaeger: { endpoint: JAEGER_ENDPOINT } }]] as const) {
    it(`${path}: spans arrive with the service resource, and shutdown() flushes every pending span`, async () => {
      const topic = uniqueTopic('it-flush');
      await createTopics(kafka, [topic]);
      const serviceName = `it-flush-${Date.now().toString(36)}`;
      // A schedule far longer than the test: nothing leaves before shutdown() unless shutdown flushes.
      const tracing = startTracing({
        serviceName,
        serviceVersion: '9.8.7',
        ...choice,
        batch: { scheduledDelayMillis: 600000 },
      });
      const n = 20;
      let messages: KafkaMessage[];
      try {
        messages = await roundTrip(topic, n, {}, {});
      } finally {
        await tracing.shutdown();
        await tracing.shutdown(); // a second call is harmless
      }
      assert.equal(tracing.exportStats().exportedSpans, 2 * n);
      for (const message of messages) {
        const trace = await waitForTrace(jaeger, traceIdOf(message.headers?.traceparent), { minSpans: 2, timeoutMs: 15000 });
        assert.deepEqual(trace.spans.map((s) => s.service), [serviceName, serviceName]);
        assert.deepEqual(trace.spans.map((s) => s.name).sort(), [`process ${topic}`, `send ${topic}`]);
      }
      const raw = await jaeger.getTrace(traceIdOf(messages[0]?.headers?.traceparent));
      const process = Object.values(raw?.processes ?? {})[0];
      const tags = Object.fromEntries((process?.tags ?? []).map((t) => [t.key, t.value]));
      assert.equal(tags['service.version'], '9.8.7');
      assert.equal(tags['telemetry.sdk.language'], 'nodejs');
      assert.equal(tags['telemetry.distro.name'], 'kafkajs-tracing');
    });
  }

  it('Jaeger unreachable: produce and consume go on, failures are counted, nothing is thrown', async () => {
    const topic = uniqueTopic('it-nojaeger');
    await createTopics(kafka, [topic]);
    const rejections: unknown[] = [];
    const onRejection = (err: unknown) => rejections.push(err);
    process.on('unhandledRejection', onRejection);
    const tracing = startTracing({
      serviceName: 'it-nojaeger',
      otlp: { url: 'http://127.0.0.1:9/v1/traces' }, // discard port: connection refused
      register: false,
      batch: { scheduledDelayMillis: 50 },
    });
    try {
      const n = 30;
      const messages = await roundTrip(topic, n, { tracerProvider: tracing.provider }, { tracerProvider: tracing.provider });
      assert.equal(messages.length, n, 'every message consumed');
      await tracing.forceFlush();
      await tracing.shutdown();
      const stats = tracing.exportStats();
      assert.equal(stats.endedSpans, 2 * n);
      assert.equal(stats.exportedSpans, 0);
      assert.ok(stats.failedSpans >= 1 && stats.failedExports >= 1, `failures counted: ${JSON.stringify(stats)}`);
      // Spans of failed exports are counted as failed; those still queued when the SDK gave up as dropped.
      assert.equal(stats.failedSpans + stats.droppedSpans, 2 * n, 'every span accounted for');
      assert.deepEqual(rejections, []);
    } finally {
      process.off('unhandledRejection', onRejection);
    }
  });
});
