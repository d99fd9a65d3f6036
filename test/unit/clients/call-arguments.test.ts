// Every argument of a wrapped call reaches the client (defect 1: Confluent's resolveOffset(offset,
// leaderEpoch) lost its epoch, so offsets were stored with epoch -1).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Consumer, EachBatchPayload, Producer } from 'kafkajs';
import { instrumentConsumer, instrumentProducer } from '../../../src/index';
import { fakeConsumer, kafkaMessage, memoryTracing } from '../memory-tracing';

describe('wrapped calls pass every argument', () => {
  it("eachBatch's resolveOffset(offset, leaderEpoch)", async () => {
    const t = memoryTracing();
    const { consumer, last } = fakeConsumer();
    instrumentConsumer(consumer, t.options);
    const calls: unknown[][] = [];
    await consumer.run({
      eachBatch: async ({ resolveOffset }) => {
        (resolveOffset as (...a: unknown[]) => void)('5', 7);
      },
    });
    await last()!.eachBatch!({
      batch: { topic: 't', partition: 0, highWatermark: '10', messages: [kafkaMessage()] },
      resolveOffset: (...a: unknown[]) => void calls.push(a),
      heartbeat: async () => undefined,
      pause: () => () => undefined,
    } as unknown as EachBatchPayload);
    assert.deepEqual(calls, [['5', 7]]);
    assert.equal(t.named('process t').length, 2, 'and the spans are still made');
  });

  it('run, send, sendBatch and transaction', async () => {
    const t = memoryTracing();
    const seen: Record<string, unknown[]> = {};
    const record = (name: string) => async (...a: unknown[]) => {
      seen[name] = a.slice(1);
      return name === 'transaction' ? { send: record('tx.send'), sendBatch: record('tx.sendBatch') } : [];
    };
    const producer = { send: record('send'), sendBatch: record('sendBatch'), transaction: async (...a: unknown[]) => { seen.transaction = a; return { send: record('tx.send'), sendBatch: record('tx.sendBatch') }; } } as unknown as Producer;
    instrumentProducer(producer, t.options);
    const call = <F>(f: F) => f as unknown as (...a: unknown[]) => Promise<unknown>;
    await call(producer.send)({ topic: 't', messages: [{ value: 'v' }] }, 'extra');
    await call(producer.sendBatch)({ topicMessages: [{ topic: 't', messages: [{ value: 'v' }] }] }, 'extra');
    const tx = await call(producer.transaction)('tx-arg') as Producer;
    await call(tx.send)({ topic: 't', messages: [{ value: 'v' }] }, 'extra');
    const consumer = { run: async (...a: unknown[]) => void (seen.run = a.slice(1)) } as unknown as Consumer;
    instrumentConsumer(consumer, t.options);
    await call(consumer.run)({ eachMessage: async () => undefined }, 'extra');
    assert.deepEqual(seen, { send: ['extra'], sendBatch: ['extra'], transaction: ['tx-arg'], 'tx.send': ['extra'], run: ['extra'] });
    assert.ok(t.spans().length >= 3, 'the sends are still traced');
  });
});
