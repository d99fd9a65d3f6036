// Confluent's consumers through instrumentConsumer with no groupId (only `kafkaJS: { groupId }` in the
// consumer's own config), on the real broker: the group on the CONSUMER spans, and lag series from the
// high watermark librdkafka cached at its latest fetch (Confluent's client has no batch events).
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { instrumentConsumer, instrumentProducer } from '../../src/index';
import { uniqueTopic } from '../support/env';
import { createTopics, disconnectAll, testKafka } from '../support/kafka';
import { PROMPT_PRODUCER, confluentKafka, consumerConfig } from '../support/confluent';
import { memoryTracing } from '../unit/memory-tracing';

describe("Confluent's consumer: group and lag without batch events", () => {
  const confluent = confluentKafka('it-cf-lag');
  const reader = new PeriodicExportingMetricReader({ exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE), exportIntervalMillis: 3600000 });
  const meterProvider = new MeterProvider({ readers: [reader] });
  const lag = async (topic: string) => {
    const { resourceMetrics } = await reader.collect();
    const points = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === 'kafkajs_tracing.consumer.lag.messages')?.dataPoints ?? [];
    return points.filter((p) => p.attributes['messaging.destination.name'] === topic).map((p) => ({ group: p.attributes['messaging.consumer.group.name'], value: p.value }));
  };

  after(async () => {
    await meterProvider.shutdown();
  });

  it('five messages, the handler held on the third: lag 3 with the group; released: lag 0', async () => {
    const topic = uniqueTopic('it-cf-lag');
    await createTopics(testKafka('it-cf-lag-admin'), [topic]);
    const t = memoryTracing();
    const producer = instrumentProducer(confluent.producer(PROMPT_PRODUCER), t.options);
    const consumer = instrumentConsumer(confluent.consumer(consumerConfig(`${topic}-g`)), { ...t.options, meterProvider });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let reached!: () => void;
    const atThird = new Promise<void>((resolve) => (reached = resolve));
    let done = 0;
    let allDone!: () => void;
    const finished = new Promise<void>((resolve) => (allDone = resolve));
    try {
      await producer.connect();
      await producer.send({ topic, messages: [1, 2, 3, 4, 5].map((n) => ({ value: `m${n}` })) });
      await consumer.connect();
      await consumer.subscribe({ topics: [topic] });
      await consumer.run({
        eachMessage: async ({ message }) => {
          if (message.offset === '2') {
            reached();
            await held;
          }
          if (++done === 5) allDone();
        },
      });
      await atThird;
      assert.deepEqual(await lag(topic), [{ group: `${topic}-g`, value: 3 }], 'offsets 2, 3 and 4 not done, high watermark 5');
      release();
      await finished;
      // The last message's handler has returned; the wrapper marks it done right after.
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(await lag(topic), [{ group: `${topic}-g`, value: 0 }]);
    } finally {
      release?.();
      await disconnectAll(consumer, producer);
    }
    const processed = t.named(`process ${topic}`);
    assert.equal(processed.length, 5);
    assert.ok(processed.every((s) => s.attributes['messaging.consumer.group.name'] === `${topic}-g`));
  });
});
