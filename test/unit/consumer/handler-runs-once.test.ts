// Tracing is a guest: whatever mode the middleware is in and however a handler fails (a synchronous
// throw, a throw before the first await, a rejection), the handler runs exactly once and kafkajs gets
// the very error it threw.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EachBatchPayload, EachMessagePayload } from 'kafkajs';
import { instrumentConsumer, withMessageSpan, type ConsumerInstrumentationOptions } from '../../../src/index';
import { fakeConsumer, kafkaMessage, memoryTracing } from '../memory-tracing';

type Throwing = 'sync' | 'before-await' | 'rejects';
const timings: Throwing[] = ['sync', 'before-await', 'rejects'];

/** A handler with the given throw timing that counts its calls. */
function failingHandler<P>(timing: Throwing, boom: Error): { calls: () => number; handler: (p: P) => Promise<void> } {
  let calls = 0;
  const handler = (timing === 'sync'
    ? () => {
        calls++;
        throw boom;
      }
    : timing === 'before-await'
      ? async () => {
          calls++;
          throw boom;
        }
      : async () => {
          calls++;
          await new Promise((r) => setTimeout(r, 1));
          throw boom;
        }) as unknown as (p: P) => Promise<void>;
  return { calls: () => calls, handler };
}

const modes: [string, () => ConsumerInstrumentationOptions][] = [
  ['no provider registered (tracing steps aside)', () => ({})],
  ['with a provider', () => memoryTracing().options],
];

function batchPayload(): EachBatchPayload {
  return {
    batch: { topic: 'orders', partition: 0, messages: [kafkaMessage({}, { offset: '7' })], highWatermark: '8' },
    resolveOffset: () => undefined,
    heartbeat: async () => undefined,
    commitOffsetsIfNecessary: async () => undefined,
    uncommittedOffsets: () => ({ topics: [] }),
    isRunning: () => true,
    isStale: () => false,
    pause: () => () => undefined,
  } as unknown as EachBatchPayload;
}

/** Calls a wrapped handler as kafkajs does (awaited) and returns what it threw. */
async function thrownBy(call: () => Promise<void> | undefined): Promise<unknown> {
  try {
    await call();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('handlers run exactly once', () => {
  for (const [mode, options] of modes) {
    for (const timing of timings) {
      it(`eachBatch, ${mode}, throwing ${timing}`, async () => {
        const boom = new Error('handler failed');
        const h = failingHandler<EachBatchPayload>(timing, boom);
        const f = fakeConsumer();
        await instrumentConsumer(f.consumer, options()).run({ eachBatch: h.handler });
        const thrown = await thrownBy(() => f.last()?.eachBatch?.(batchPayload()));
        assert.equal(h.calls(), 1, 'called once');
        assert.equal(thrown, boom, 'kafkajs gets the same error');
      });

      it(`eachMessage, ${mode}, throwing ${timing}`, async () => {
        const boom = new Error('handler failed');
        const h = failingHandler<EachMessagePayload>(timing, boom);
        const f = fakeConsumer();
        await instrumentConsumer(f.consumer, options()).run({ eachMessage: h.handler });
        const payload = { topic: 'orders', partition: 0, message: kafkaMessage(), heartbeat: async () => undefined, pause: () => () => undefined } as EachMessagePayload;
        const thrown = await thrownBy(() => f.last()?.eachMessage?.(payload));
        assert.equal(h.calls(), 1, 'called once');
        assert.equal(thrown, boom, 'kafkajs gets the same error');
      });
    }
  }

  it('withMessageSpan runs a throwing function once, inside and outside a batch', async () => {
    const boom = new Error('fn failed');
    let calls = 0;
    const fn = (): never => {
      calls++;
      throw boom;
    };
    assert.throws(() => withMessageSpan(kafkaMessage(), fn), (e) => e === boom);
    assert.equal(calls, 1, 'outside a batch');
    const f = fakeConsumer();
    await instrumentConsumer(f.consumer, memoryTracing().options).run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) assert.throws(() => withMessageSpan(m, fn), (e) => e === boom);
      },
    });
    await f.last()?.eachBatch?.(batchPayload());
    assert.equal(calls, 2, 'once more inside the batch');
  });
});
