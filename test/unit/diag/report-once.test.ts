// Swallowed failures: the produce/consume path keeps working, and each kind of failure is reported
// once through a diag component logger named kafkajs-tracing, then only counted. A span whose setup
// fails after it started still ends.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DiagLogLevel, diag, type TextMapPropagator } from '@opentelemetry/api';
import type { EachMessagePayload, IHeaders } from 'kafkajs';
import { instrumentConsumer, instrumentProducer } from '../../../src/index';
import { swallowedCounts, type SwallowedKind } from '../../../src/diag/report-once';
import { fakeConsumer, fakeProducer, kafkaMessage, memoryTracing } from '../memory-tracing';

const warnings: unknown[][] = [];
before(() => {
  const capture = (...args: unknown[]) => void warnings.push(args);
  const quiet = () => undefined;
  diag.setLogger({ warn: capture, error: capture, info: quiet, debug: quiet, verbose: quiet }, DiagLogLevel.WARN);
});
after(() => diag.disable());

/** Warnings of our component that mention `kind`. */
const reportsOf = (kind: SwallowedKind) => warnings.filter((w) => w[0] === 'kafkajs-tracing' && String(w[1]).startsWith(`${kind} failed`));

function throwingPropagator(part: 'inject' | 'extract'): TextMapPropagator {
  const t = memoryTracing();
  return {
    inject: (ctx, carrier, setter) => (part === 'inject' ? (() => { throw new Error('inject broke'); })() : t.propagator.inject(ctx, carrier, setter)),
    extract: (ctx, carrier, getter) => (part === 'extract' ? (() => { throw new Error('extract broke'); })() : t.propagator.extract(ctx, carrier, getter)),
    fields: () => t.propagator.fields(),
  };
}

async function consumeOnce(options: Parameters<typeof instrumentConsumer>[1], headers: IHeaders = {}) {
  const f = fakeConsumer();
  let calls = 0;
  await instrumentConsumer(f.consumer, options).run({ eachMessage: async () => void calls++ });
  const payload = { topic: 'orders', partition: 0, message: kafkaMessage(headers), heartbeat: async () => undefined, pause: () => () => undefined };
  await f.last()?.eachMessage?.(payload as EachMessagePayload);
  return calls;
}

describe('swallowed failures are reported once, then counted', () => {
  it('a producer hook that throws: send goes through, one warning for three failures', async () => {
    const t = memoryTracing();
    const p = fakeProducer();
    const producer = instrumentProducer(p.producer, { ...t.options, producerHook: () => { throw new Error('hook broke'); } });
    for (let i = 0; i < 3; i++) await producer.send({ topic: 'orders', messages: [{ value: String(i) }] });
    assert.equal(p.sent.length, 3);
    assert.equal(reportsOf('hook').length, 1, 'reported once');
    assert.match(String(reportsOf('hook')[0]?.[1]), /hook broke/);
    assert.equal(swallowedCounts().hook, 3, 'then counted');
  });

  it('a propagator whose inject throws: the message goes out unchanged and the started span ends', async () => {
    const t = memoryTracing();
    const p = fakeProducer();
    const producer = instrumentProducer(p.producer, { tracerProvider: t.provider, propagator: throwingPropagator('inject') });
    await producer.send({ topic: 'orders', messages: [{ value: 'a', headers: { mine: 'x' } }] });
    await producer.send({ topic: 'orders', messages: [{ value: 'b' }, { value: 'c' }] });
    assert.deepEqual(p.sent[0]?.messages[0]?.headers, { mine: 'x' });
    assert.equal(p.sent.length, 2);
    assert.equal(t.spans().length, 4, 'send + send + two create spans, all ended');
    assert.equal(reportsOf('inject').length, 1);
    assert.equal(swallowedCounts().inject, 3);
  });

  it('a propagator whose extract throws: the handler runs, in a new root span', async () => {
    const t = memoryTracing();
    const calls = await consumeOnce({ tracerProvider: t.provider, propagator: throwingPropagator('extract') });
    assert.equal(calls, 1);
    assert.equal(t.spans().length, 1);
    assert.equal(t.spans()[0]?.parentSpanContext, undefined);
    assert.equal(reportsOf('extract').length, 1);
  });

  it('a carrier whose header cannot be read', async () => {
    const t = memoryTracing();
    const headers = Object.defineProperty({}, 'traceparent', { enumerable: true, get: () => { throw new Error('unreadable'); } }) as IHeaders;
    const calls = await consumeOnce(t.options, headers);
    await consumeOnce(t.options, headers);
    assert.equal(calls, 1);
    assert.equal(reportsOf('header-read').length, 1);
    assert.equal(swallowedCounts()['header-read'] >= 2, true, 'each failure counted');
  });

  it('a consumer hook and a trust policy that throw', async () => {
    const t = memoryTracing();
    const calls = await consumeOnce({ ...t.options, consumerHook: () => { throw new Error('c-hook'); }, trustUpstream: () => { throw new Error('policy'); } });
    assert.equal(calls, 1);
    assert.equal(t.spans().length, 1, 'span ended');
    assert.equal(reportsOf('hook').length, 1, 'still one report for the kind');
  });

  it('a client that refuses the lag listeners: the consumer still runs and traces, one warning', async () => {
    const t = memoryTracing();
    for (let i = 0; i < 2; i++) {
      const f = fakeConsumer();
      const consumer = Object.assign(f.consumer, {
        events: { START_BATCH_PROCESS: 'start', END_BATCH_PROCESS: 'end', GROUP_JOIN: 'join', STOP: 'stop', DISCONNECT: 'disc', CRASH: 'crash' },
        on: () => {
          throw new Error('events refused');
        },
      });
      let calls = 0;
      await instrumentConsumer(consumer, t.options).run({ eachMessage: async () => void calls++ });
      const payload = { topic: 'orders', partition: 0, message: kafkaMessage(), heartbeat: async () => undefined, pause: () => () => undefined };
      await f.last()?.eachMessage?.(payload as EachMessagePayload);
      assert.equal(calls, 1, 'the handler ran once');
    }
    assert.equal(t.spans().length, 2);
    assert.equal(reportsOf('lag-events').length, 1, 'reported once');
    assert.match(String(reportsOf('lag-events')[0]?.[1]), /events refused/);
    assert.equal(swallowedCounts()['lag-events'], 2, 'then counted');
  });

  it('a handler error that cannot even be turned into text: rethrown as it was, the span ends, one warning', async () => {
    const t = memoryTracing();
    const f = fakeConsumer();
    // An object without a prototype: String() of it throws, so recording it on the span fails.
    const hostile = Object.create(null) as object;
    await instrumentConsumer(f.consumer, t.options).run({
      eachMessage: async () => {
        throw hostile;
      },
    });
    const payload = { topic: 'orders', partition: 0, message: kafkaMessage(), heartbeat: async () => undefined, pause: () => () => undefined };
    for (let i = 0; i < 2; i++) {
      await assert.rejects(f.last()?.eachMessage?.(payload as EachMessagePayload) as Promise<void>, (err: unknown) => err === hostile);
    }
    assert.equal(t.spans().length, 2, 'both spans ended');
    assert.equal(reportsOf('record-error').length, 1, 'reported once');
    assert.equal(swallowedCounts()['record-error'], 2, 'then counted');
  });
});
