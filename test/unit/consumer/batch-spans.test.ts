// The consumer middleware's eachBatch path: a batch span with links, per-message spans in each
// message's own trace timed by resolveOffset, and withMessageSpan.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import { instrumentConsumer, withMessageSpan, type ConsumerInstrumentationOptions } from '../../../src/index';
import { fakeConsumer, kafkaMessage, memoryTracing } from '../memory-tracing';

const tp = (i: number) => `00-${String(i).padStart(32, 'a')}-${String(i).padStart(16, 'b')}-01`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function batchOf(n: number, withHeaders = true): KafkaMessage[] {
  return Array.from({ length: n }, (_, i) => kafkaMessage(withHeaders ? { traceparent: tp(i + 1) } : {}, { offset: String(100 + i) }));
}

async function runBatch(messages: KafkaMessage[], handler: (p: EachBatchPayload) => Promise<void>, extra: ConsumerInstrumentationOptions = {}, t = memoryTracing()) {
  const f = fakeConsumer();
  await instrumentConsumer(f.consumer, { ...t.options, ...extra }).run({ eachBatch: handler });
  const resolved: string[] = [];
  const payload = {
    batch: { topic: 'orders', partition: 0, messages, highWatermark: '200' },
    resolveOffset: (o: string) => void resolved.push(o),
    heartbeat: async () => undefined,
    commitOffsetsIfNecessary: async () => undefined,
    uncommittedOffsets: () => ({ topics: [] }),
    isRunning: () => true,
    isStale: () => false,
    pause: () => () => undefined,
  } as unknown as EachBatchPayload;
  let error: unknown;
  try {
    await f.last()?.eachBatch?.(payload);
  } catch (err) {
    error = err;
  }
  const spans = t.spans();
  const batchSpan = spans.find((s) => s.attributes['messaging.batch.message_count'] !== undefined);
  const perMessage = spans.filter((s) => s !== batchSpan);
  return { t, resolved, error, batchSpan, perMessage };
}

describe('instrumentConsumer: eachBatch', () => {
  it('one batch span linked to every message, and per message a span in its own trace', async () => {
    const messages = batchOf(3);
    const r = await runBatch(messages, async ({ batch, resolveOffset }) => {
      for (const m of batch.messages) resolveOffset(m.offset);
    });
    assert.deepEqual(r.resolved, ['100', '101', '102'], "kafkajs's resolveOffset still called with the same offsets");
    assert.equal(r.batchSpan?.name, 'process orders');
    assert.equal(r.batchSpan?.attributes['messaging.batch.message_count'], 3);
    assert.deepEqual(r.batchSpan?.links.map((l) => l.context.spanId), [1, 2, 3].map((i) => String(i).padStart(16, 'b')));
    assert.equal(r.perMessage.length, 3);
    for (const [i, span] of r.perMessage.entries()) {
      assert.equal(span.spanContext().traceId, String(i + 1).padStart(32, 'a'), 'in the message trace');
      assert.equal(span.parentSpanContext?.spanId, String(i + 1).padStart(16, 'b'));
      assert.equal(span.attributes['messaging.kafka.offset'], 100 + i);
      assert.equal(span.links[0]?.context.spanId, r.batchSpan?.spanContext().spanId, 'links back to the batch span');
    }
  });

  it('times each message from the previous resolveOffset to its own', async () => {
    const marks: number[] = [];
    const r = await runBatch(batchOf(2), async ({ batch, resolveOffset }) => {
      marks.push(Date.now());
      await sleep(30);
      marks.push(Date.now());
      resolveOffset(batch.messages[0]?.offset as string);
      await sleep(60);
      marks.push(Date.now());
      resolveOffset(batch.messages[1]?.offset as string);
    });
    const ms = (span: (typeof r.perMessage)[number]) => span.duration[0] * 1e3 + span.duration[1] / 1e6;
    const [first, second] = r.perMessage.sort((a, b) => Number(a.attributes['messaging.kafka.offset']) - Number(b.attributes['messaging.kafka.offset']));
    const [t0, t1, t2] = marks as [number, number, number];
    // Span times come from Date.now(): compare with the marks, allowing a few ms of clock granularity.
    assert.ok(first && Math.abs(ms(first) - (t1 - t0)) <= 8, `first ${first && ms(first)} ms vs ${t1 - t0} ms`);
    assert.ok(second && Math.abs(ms(second) - (t2 - t1)) <= 8, `second ${second && ms(second)} ms vs ${t2 - t1} ms`);
  });

  it('ends the spans of unresolved messages at the batch end', async () => {
    const r = await runBatch(batchOf(3), async ({ resolveOffset }) => {
      resolveOffset('100');
    });
    assert.equal(r.perMessage.length, 3);
  });

  it('withMessageSpan runs work inside that message span, and no second span is made for it', async () => {
    const messages = batchOf(2);
    const active: (string | undefined)[] = [];
    const r = await runBatch(messages, async ({ batch, resolveOffset }) => {
      for (const m of batch.messages) {
        await withMessageSpan(m, async () => {
          await sleep(1);
          active.push(trace.getActiveSpan()?.spanContext().traceId);
        });
        resolveOffset(m.offset);
      }
    });
    assert.deepEqual(active, [String(1).padStart(32, 'a'), String(2).padStart(32, 'a')]);
    assert.equal(r.perMessage.length, 2);
  });

  it('records a handler error on the batch span and the unprocessed messages, and rethrows it', async () => {
    const boom = new Error('db down');
    const r = await runBatch(batchOf(2), async ({ resolveOffset }) => {
      resolveOffset('100');
      throw boom;
    });
    assert.equal(r.error, boom);
    assert.equal(r.batchSpan?.status.code, SpanStatusCode.ERROR);
    const failed = r.perMessage.find((s) => s.attributes['messaging.kafka.offset'] === 101);
    const done = r.perMessage.find((s) => s.attributes['messaging.kafka.offset'] === 100);
    assert.equal(failed?.status.code, SpanStatusCode.ERROR);
    assert.notEqual(done?.status.code, SpanStatusCode.ERROR);
  });

  it('caps the batch links, and gives messages without headers root spans', async () => {
    const r = await runBatch([...batchOf(5), ...batchOf(2, false)], async () => undefined, { maxBatchLinks: 2 });
    assert.equal(r.batchSpan?.links.length, 2);
    assert.equal(r.perMessage.length, 7);
    assert.equal(r.perMessage.filter((s) => s.parentSpanContext === undefined).length, 2);
  });

  it('withMessageSpan keeps the span open until a non-native thenable settles (a Bluebird- or query-builder-like result)', async () => {
    let settle: (v: string) => void = () => undefined;
    let endedBeforeSettle = -1;
    const t = memoryTracing();
    const r = await runBatch(batchOf(1), async ({ batch }) => {
      const thenable = {
        then(onFulfilled: (v: string) => unknown, onRejected?: (e: unknown) => unknown) {
          return new Promise<string>((resolve) => (settle = resolve)).then(onFulfilled, onRejected);
        },
      };
      const out = withMessageSpan(batch.messages[0] as KafkaMessage, () => thenable) as unknown as PromiseLike<string>;
      await sleep(2);
      endedBeforeSettle = t.spans().length; // the batch span is still open: these would be message spans
      settle('done');
      assert.equal(await out, 'done', 'the value comes through');
    }, {}, t);
    assert.equal(endedBeforeSettle, 0, 'not ended while the work was pending');
    assert.equal(r.perMessage.length, 1);
  });

  it('withMessageSpan outside a batch just runs the function', () => {
    assert.equal(withMessageSpan(kafkaMessage(), () => 42), 42);
  });
});
