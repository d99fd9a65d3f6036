// What a Confluent KafkaJS consumer gets without batch events: its group on spans and lag series when
// instrumentConsumer is given no groupId (read from the connected consumer at run()), and lag from the
// high watermark librdkafka cached at its latest fetch, read when the metrics are collected.
// A stand-in with the shape of Confluent's consumer: dependentAdmin(), run(), _getInternalClient().
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import type { ConsumerRunConfig, EachMessagePayload } from 'kafkajs';
import { instrumentConsumer } from '../../../src/index';
import { kafkaMessage, memoryTracing } from '../memory-tracing';

function confluentConsumer(group: string) {
  const state = { connected: false, highOffset: -1001 as number, runs: [] as ConsumerRunConfig[] };
  const internal = {
    globalConfig: { 'group.id': group, 'bootstrap.servers': '127.0.0.1:9092' },
    getWatermarkOffsets: (_topic: string, _partition: number) => {
      if (!state.connected) throw new Error('Client is disconnected');
      return { lowOffset: 0, highOffset: state.highOffset };
    },
  };
  const consumer = {
    dependentAdmin: () => ({}),
    // Confluent's returns null until connect() (and throws from run() before it).
    _getInternalClient: () => (state.connected ? internal : null),
    run: async (config: ConsumerRunConfig) => void state.runs.push(config),
  };
  return { consumer, state, last: () => state.runs[state.runs.length - 1] as ConsumerRunConfig };
}

const payload = (offset: number): EachMessagePayload =>
  ({ topic: 'orders', partition: 0, message: kafkaMessage({}, { offset: String(offset) }), heartbeat: async () => undefined, pause: () => () => undefined }) as EachMessagePayload;

function meter() {
  const reader = new PeriodicExportingMetricReader({ exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE), exportIntervalMillis: 3600000 });
  const provider = new MeterProvider({ readers: [reader] });
  /** Lag in messages per partition, with the group it was recorded under. */
  const lag = async () => {
    const { resourceMetrics } = await reader.collect();
    const points = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === 'kafkajs_tracing.consumer.lag.messages')?.dataPoints ?? [];
    return points.map((p) => ({ partition: `${p.attributes['messaging.destination.name']}/${p.attributes['messaging.destination.partition.id']}`, group: p.attributes['messaging.consumer.group.name'], value: p.value }));
  };
  return { provider, lag };
}

describe('instrumentConsumer on a Confluent consumer', () => {
  it('puts the group of the consumer (kafkaJS: { groupId }, i.e. its group.id) on spans when no groupId is given', async () => {
    const t = memoryTracing();
    const c = confluentConsumer('payments');
    const consumer = instrumentConsumer(c.consumer, t.options);
    c.state.connected = true;
    await consumer.run({ eachMessage: async () => undefined });
    await c.last().eachMessage?.(payload(5));
    assert.equal(t.spans()[0]?.attributes['messaging.consumer.group.name'], 'payments');
  });

  it('a groupId given to instrumentConsumer wins over the consumer’s own', async () => {
    const t = memoryTracing();
    const c = confluentConsumer('payments');
    const consumer = instrumentConsumer(c.consumer, { ...t.options, groupId: 'named-here' });
    c.state.connected = true;
    await consumer.run({ eachMessage: async () => undefined });
    await c.last().eachMessage?.(payload(5));
    assert.equal(t.spans()[0]?.attributes['messaging.consumer.group.name'], 'named-here');
  });

  it('lag: high watermark read at collection minus the next offset not done; 0 when caught up; released once disconnected', async () => {
    const m = meter();
    const c = confluentConsumer('payments');
    const consumer = instrumentConsumer(c.consumer, { meterProvider: m.provider });
    c.state.connected = true;
    await consumer.run({ eachMessage: async () => undefined });
    c.state.highOffset = 10; // offsets 0..9 written
    await c.last().eachMessage?.(payload(5));
    assert.deepEqual(await m.lag(), [{ partition: 'orders/0', group: 'payments', value: 4 }], 'offsets 6..9 still to do');
    c.state.highOffset = 12; // two more written since: seen at the next collection without any message handled
    assert.deepEqual(await m.lag(), [{ partition: 'orders/0', group: 'payments', value: 6 }]);
    for (const offset of [6, 7, 8, 9, 10, 11]) await c.last().eachMessage?.(payload(offset));
    assert.deepEqual(await m.lag(), [{ partition: 'orders/0', group: 'payments', value: 0 }]);
    c.state.highOffset = 15;
    c.state.connected = false; // disconnected: released, reported as 0 (a cumulative reader keeps that last 0)
    assert.deepEqual(await m.lag(), [{ partition: 'orders/0', group: 'payments', value: 0 }]);
    c.state.connected = true;
    assert.deepEqual(await m.lag(), [{ partition: 'orders/0', group: 'payments', value: 0 }], 'forgotten: no longer read until it consumes again');
  });

  it('a handler that throws leaves its message not done: lag still counts it', async () => {
    const m = meter();
    const c = confluentConsumer('payments');
    const consumer = instrumentConsumer(c.consumer, { meterProvider: m.provider });
    c.state.connected = true;
    await consumer.run({ eachMessage: async () => { throw new Error('retry me'); } });
    c.state.highOffset = 6;
    await assert.rejects(async () => c.last().eachMessage?.(payload(5)));
    assert.deepEqual(await m.lag(), [{ partition: 'orders/0', group: 'payments', value: 1 }]);
  });
});
