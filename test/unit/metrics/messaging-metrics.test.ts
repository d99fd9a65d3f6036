// The messaging metrics recorded by the middleware, read back through a real SDK MeterProvider.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import type { Consumer, ConsumerRunConfig, EachMessagePayload, KafkaMessage, Producer, RecordMetadata } from 'kafkajs';
import { instrumentConsumer, instrumentProducer } from '../../../src/index';

function meter() {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3600000 });
  const provider = new MeterProvider({ readers: [reader] });
  const collect = async () => {
    const { resourceMetrics } = await reader.collect();
    return new Map(resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).map((m) => [m.descriptor.name, m]));
  };
  return { provider, collect };
}

describe('messaging metrics', () => {
  it('counts sent messages and records send duration, with error.type on failures', async () => {
    const { provider, collect } = meter();
    let fail = false;
    const fake = {
      send: async (): Promise<RecordMetadata[]> => {
        if (fail) throw new TypeError('broker said no');
        return [{ topicName: 'orders', partition: 0, errorCode: 0, baseOffset: '1' }];
      },
      sendBatch: async (): Promise<RecordMetadata[]> => [],
      transaction: async () => fake,
    } as unknown as Producer;
    const producer = instrumentProducer(fake, { meterProvider: provider });
    await producer.send({ topic: 'orders', messages: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] });
    fail = true;
    await assert.rejects(producer.send({ topic: 'orders', messages: [{ value: 'd' }] }), TypeError);
    const metrics = await collect();
    const sent = metrics.get('messaging.client.sent.messages');
    const points = sent?.dataPoints ?? [];
    const ok = points.find((p) => p.attributes['error.type'] === undefined);
    const failed = points.find((p) => p.attributes['error.type'] === 'TypeError');
    assert.equal(ok?.value, 3);
    assert.equal(failed?.value, 1);
    assert.equal(ok?.attributes['messaging.destination.name'], 'orders');
    const duration = metrics.get('messaging.client.operation.duration');
    assert.equal(duration?.descriptor.unit, 's');
    const counts = (duration?.dataPoints ?? []).map((p) => (p.value as { count: number }).count);
    assert.deepEqual(counts.sort(), [1, 1], 'one duration per send call');
  });

  it('counts consumed messages, process duration and produce→consume latency per topic and group', async () => {
    const { provider, collect } = meter();
    let config: ConsumerRunConfig | undefined;
    const fake = { run: async (c?: ConsumerRunConfig) => void (config = c) } as unknown as Consumer;
    const consumer = instrumentConsumer(fake, { meterProvider: provider, groupId: 'billing' });
    await consumer.run({ eachMessage: async () => undefined });
    const message = { key: null, value: Buffer.from('x'), timestamp: String(Date.now() - 1500), attributes: 0, offset: '3', headers: {} } as KafkaMessage;
    const payload = { topic: 'orders', partition: 0, message, heartbeat: async () => undefined, pause: () => () => undefined } as EachMessagePayload;
    await config?.eachMessage?.(payload);
    await config?.eachMessage?.(payload);
    const metrics = await collect();
    const consumed = metrics.get('messaging.client.consumed.messages')?.dataPoints[0];
    assert.equal(consumed?.value, 2);
    assert.equal(consumed?.attributes['messaging.consumer.group.name'], 'billing');
    const latency = metrics.get('messaging.kafka.end_to_end.latency')?.dataPoints[0]?.value as { count: number; min: number } | undefined;
    assert.equal(latency?.count, 2);
    assert.ok((latency?.min ?? 0) >= 1.5, `latency ≥ 1.5 s, got ${latency?.min}`);
    assert.equal((metrics.get('messaging.process.duration')?.dataPoints[0]?.value as { count: number }).count, 2);
  });
});
