// Consumer lag from kafkajs's batch instrumentation events and the messages handed to the handler,
// read back through a real SDK MeterProvider, as a Prometheus scrape would at any moment.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import type { Consumer, ConsumerRunConfig, EachBatchPayload, EachMessagePayload, KafkaMessage } from 'kafkajs';
import { instrumentConsumer } from '../../../src/index';

const EVENTS = {
  START_BATCH_PROCESS: 'consumer.start_batch_process',
  END_BATCH_PROCESS: 'consumer.end_batch_process',
  GROUP_JOIN: 'consumer.group_join',
  STOP: 'consumer.stop',
  DISCONNECT: 'consumer.disconnect',
  CRASH: 'consumer.crash',
};

function setup(meterProvider?: MeterProvider) {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3600000 });
  const provider = meterProvider ?? new MeterProvider({ readers: [reader] });
  const emitter = new EventEmitter();
  let config: ConsumerRunConfig | undefined;
  const fake = {
    events: EVENTS,
    on: (name: string, listener: (e: unknown) => void) => {
      emitter.on(name, listener);
      return () => emitter.off(name, listener);
    },
    run: async (c?: ConsumerRunConfig) => void (config = c),
  } as unknown as Consumer;
  const consumer = instrumentConsumer(fake, { meterProvider: provider, groupId: 'billing' });
  /** Lag per "topic/partition": [messages, age in seconds | undefined]. */
  const lag = async () => {
    const { resourceMetrics } = await reader.collect();
    const all = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
    const out = new Map<string, [number | undefined, number | undefined]>();
    for (const name of ['kafkajs_tracing.consumer.lag.messages', 'kafkajs_tracing.consumer.lag.age']) {
      for (const p of all.find((m) => m.descriptor.name === name)?.dataPoints ?? []) {
        assert.equal(p.attributes['messaging.consumer.group.name'], 'billing');
        const key = `${p.attributes['messaging.destination.name']}/${p.attributes['messaging.destination.partition.id']}`;
        const entry = out.get(key) ?? [undefined, undefined];
        entry[name.endsWith('messages') ? 0 : 1] = p.value as number;
        out.set(key, entry);
      }
    }
    return out;
  };
  const batchEvent = (name: 'START_BATCH_PROCESS' | 'END_BATCH_PROCESS', topic: string, partition: number, hw: number, first: number, last: number) =>
    emitter.emit(EVENTS[name], { payload: { topic, partition, highWatermark: String(hw), firstOffset: String(first), lastOffset: String(last), offsetLag: String(hw - 1 - last) } });
  return { consumer, emitter, lag, batchEvent, config: () => config as ConsumerRunConfig };
}

const message = (offset: number, timestamp: number): KafkaMessage =>
  ({ key: null, value: Buffer.from('x'), timestamp: String(timestamp), attributes: 0, offset: String(offset), headers: {} }) as KafkaMessage;

const each = (topic: string, partition: number, m: KafkaMessage) =>
  ({ topic, partition, message: m, heartbeat: async () => undefined, pause: () => () => undefined }) as EachMessagePayload;

describe('consumer lag', () => {
  it('eachMessage: messages behind the high watermark and the age of the next message, 0 s once caught up', async () => {
    const { consumer, lag, batchEvent, config } = setup();
    await consumer.run({ eachMessage: async () => undefined });
    const now = Date.now();
    // A fetch saw offsets 10..19 written (high watermark 20); the batch holds 10..14.
    batchEvent('START_BATCH_PROCESS', 'orders', 0, 20, 10, 14);
    await config().eachMessage?.(each('orders', 0, message(10, now - 60_000)));
    let seen = (await lag()).get('orders/0');
    assert.equal(seen?.[0], 10, 'offset 10 is being processed: 10 messages not finished with');
    assert.ok(seen?.[1] !== undefined && seen[1] >= 60 && seen[1] < 65, `age of offset 10 is ~60 s, got ${seen?.[1]}`);
    for (let o = 11; o <= 14; o++) await config().eachMessage?.(each('orders', 0, message(o, now - 30_000)));
    batchEvent('END_BATCH_PROCESS', 'orders', 0, 20, 10, 14);
    seen = (await lag()).get('orders/0');
    assert.equal(seen?.[0], 5, 'offsets 15..19 are still unconsumed');
    assert.ok(seen?.[1] !== undefined && seen[1] >= 30, 'the next message is not fetched yet: the last one bounds its age');
    // The next batch drains the partition: caught up means 0 s, however old the last message was.
    batchEvent('START_BATCH_PROCESS', 'orders', 0, 20, 15, 19);
    for (let o = 15; o <= 19; o++) await config().eachMessage?.(each('orders', 0, message(o, now - 3_600_000)));
    batchEvent('END_BATCH_PROCESS', 'orders', 0, 20, 15, 19);
    assert.deepEqual((await lag()).get('orders/0'), [0, 0]);
  });

  it('eachBatch: resolveOffset moves the position through the batch', async () => {
    const { consumer, lag, batchEvent, config } = setup();
    await consumer.run({ eachBatch: async () => undefined });
    const now = Date.now();
    const messages = [message(0, now - 5000), message(1, now - 4000), message(2, now - 3000)];
    batchEvent('START_BATCH_PROCESS', 'payments', 2, 3, 0, 2);
    const seen: Array<[number | undefined, number | undefined] | undefined> = [];
    const payload = {
      batch: { topic: 'payments', partition: 2, highWatermark: '3', messages },
      resolveOffset: () => undefined,
      heartbeat: async () => undefined,
    } as unknown as EachBatchPayload;
    await consumer.run({
      eachBatch: async ({ resolveOffset }) => {
        seen.push((await lag()).get('payments/2'));
        resolveOffset('0');
        seen.push((await lag()).get('payments/2'));
        resolveOffset('2');
        seen.push((await lag()).get('payments/2'));
      },
    });
    await config().eachBatch?.(payload);
    assert.equal(seen[0]?.[0], 3);
    assert.ok((seen[0]?.[1] ?? 0) >= 5);
    assert.equal(seen[1]?.[0], 2);
    assert.ok((seen[1]?.[1] ?? 0) >= 4 && (seen[1]?.[1] ?? 0) < 5, 'age is now that of offset 1');
    assert.deepEqual(seen[2], [0, 0]);
  });

  it('partitions lost in a rebalance, or all after stop, report 0 from this member instead of a frozen value', async () => {
    const { consumer, emitter, lag, batchEvent } = setup();
    await consumer.run({ eachMessage: async () => undefined });
    batchEvent('START_BATCH_PROCESS', 'orders', 0, 5, 0, 4);
    batchEvent('START_BATCH_PROCESS', 'orders', 1, 7, 0, 6);
    let seen = await lag();
    assert.deepEqual([seen.get('orders/0')?.[0], seen.get('orders/1')?.[0]], [5, 7]);
    emitter.emit(EVENTS.GROUP_JOIN, { payload: { memberAssignment: { orders: [1] } } });
    seen = await lag();
    assert.deepEqual([seen.get('orders/0'), seen.get('orders/1')?.[0]], [[0, 0], 7]);
    emitter.emit(EVENTS.STOP, {});
    seen = await lag();
    assert.deepEqual([seen.get('orders/0'), seen.get('orders/1')], [[0, 0], [0, 0]]);
    // Consuming again brings the partition back.
    batchEvent('START_BATCH_PROCESS', 'orders', 1, 9, 7, 8);
    assert.equal((await lag()).get('orders/1')?.[0], 2);
  });

  it('consumers that come and go leave no series: 1,800 created, consuming, disconnected', async () => {
    // A delta reader shows what this package observes in each collection. (A cumulative reader, such as
    // Prometheus's, is the SDK's to keep: it goes on exporting a series' last value, here 0, once seen;
    // and the SDK's cardinality limit, 2,000 attribute sets per instrument, counts every set it has ever
    // seen, even on a delta reader, hence 1,800 here.)
    const exporter = new InMemoryMetricExporter(AggregationTemporality.DELTA);
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3600000 });
    const provider = new MeterProvider({ readers: [reader] });
    const series = async () => {
      const { resourceMetrics } = await reader.collect();
      const m = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((x) => x.descriptor.name === 'kafkajs_tracing.consumer.lag.messages');
      return m?.dataPoints.length ?? 0;
    };
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 600; i++) {
        const { consumer, emitter, batchEvent } = setup(provider);
        await consumer.run({ eachMessage: async () => undefined });
        batchEvent('START_BATCH_PROCESS', `t${round}-${i}`, 0, 5, 0, 4);
        emitter.emit(i % 2 ? EVENTS.DISCONNECT : EVENTS.CRASH, {});
      }
      const n = await series();
      assert.equal(n, 600, `this round's consumers, reported as 0 once (saw ${n})`);
    }
    assert.equal(await series(), 0, 'no series left once every consumer is gone');
    const { consumer, batchEvent } = setup(provider);
    await consumer.run({ eachMessage: async () => undefined });
    batchEvent('START_BATCH_PROCESS', 'live', 0, 5, 0, 4);
    assert.equal(await series(), 1, 'a live consumer still reports');
  });
});
