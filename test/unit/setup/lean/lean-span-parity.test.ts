// The lean span path against the SDK's: the same middleware scenarios run once through
// startTracing's lean provider and once with leanSpans: false; every span the middleware makes
// (send, create, batch send, process, batch process, errors, links, a forwarded message's link)
// must export the same fields, and encode to Thrift bodies of the same size. Ids and times differ
// by nature: they are compared as shapes (which span is whose parent, which span a link points
// to) and as order (start ≤ event ≤ end, a child not before its parent).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SpanStatusCode, trace, type HrTime, type SpanContext } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import type { EachBatchPayload, EachMessagePayload } from 'kafkajs';
import { instrumentConsumer, instrumentProducer } from '../../../../src/index';
import { startTracing } from '../../../../src/setup/index';
import { ThriftBatchBuilder } from '../../../../src/setup/jaeger-thrift';
import { fakeConsumer, fakeProducer, kafkaMessage } from '../../memory-tracing';

class Capture implements SpanExporter {
  spans: ReadableSpan[] = [];
  export(spans: ReadableSpan[], done: (r: ExportResult) => void): void {
    this.spans.push(...spans);
    done({ code: ExportResultCode.SUCCESS });
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

// Errors made once, so both runs record the very same message and stack.
const sendFailure = Object.assign(new Error('broker down'), { name: 'KafkaJSConnectionError' });
const handlerFailure = new TypeError('bad order');
const upstream = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const upstreamRandom = '00-1af7651916cd43dd8448eb211c80319c-c7ad6b7169203331-03';
const forwarded = '00-2af7651916cd43dd8448eb211c80319c-d7ad6b7169203331-01';

/** Drives every kind of span the middleware makes, through providers of one startTracing call. */
async function scenarios(leanSpans: boolean): Promise<ReadableSpan[]> {
  const exporter = new Capture();
  const tracing = startTracing({ serviceName: 'parity', exporter, register: false, metrics: false, leanSpans });
  const opts = { tracerProvider: tracing.provider, clientId: 'parity-client' };
  const p = fakeProducer();
  const producer = instrumentProducer(p.producer, opts);
  await producer.send({ topic: 'orders', messages: [{ key: 'o-1', value: 'v', partition: 3 }] });
  await producer.send({ topic: 'orders', messages: [{ key: 'o-2', value: 'v' }, { key: 'o-3', value: null }] });
  await producer.sendBatch({ topicMessages: [{ topic: 'orders', messages: [{ value: 'a' }] }, { topic: 'payments', messages: [{ value: 'b' }] }] });
  // A forwarded message: its old traceparent becomes a link of the new span.
  await producer.send({ topic: 'dlq', messages: [{ value: 'x', headers: { traceparent: forwarded, 'x-app': 'keep' } }] });
  p.state.failWith = sendFailure;
  await producer.send({ topic: 'orders', messages: [{ value: 'fails' }] }).catch(() => undefined);
  p.state.failWith = undefined;

  const c = fakeConsumer();
  let fail = false;
  await instrumentConsumer(c.consumer, { ...opts, groupId: 'g', linkToParent: true }).run({
    eachMessage: async () => {
      trace.getActiveSpan()?.addEvent('handled', { step: 1 });
      if (fail) throw handlerFailure;
    },
  });
  const payload = (headers: Record<string, string>, offset: string): EachMessagePayload =>
    ({ topic: 'orders', partition: 1, message: kafkaMessage(headers, { offset, timestamp: '1700000000000' }), heartbeat: async () => undefined, pause: () => () => undefined }) as unknown as EachMessagePayload;
  const run = c.last()?.eachMessage;
  await run?.(payload({ traceparent: upstream, tracestate: 'congo=t61rcWkgMzE' }, '7'));
  await run?.(payload({ traceparent: upstreamRandom }, '8'));
  await run?.(payload({}, '9'));
  // Not sampled upstream: parent-based, nothing recorded on either path.
  await run?.(payload({ traceparent: upstream.replace(/-01$/, '-00') }, '11'));
  fail = true;
  await run?.(payload({ traceparent: upstream }, '10')).catch(() => undefined);

  const b = fakeConsumer();
  await instrumentConsumer(b.consumer, { ...opts, groupId: 'g', trustUpstream: (t) => t !== 'untrusted' }).run({
    eachBatch: async ({ batch, resolveOffset }) => {
      for (const m of batch.messages) resolveOffset(m.offset);
    },
  });
  for (const topic of ['orders', 'untrusted']) {
    const messages = [kafkaMessage({ traceparent: upstream }, { offset: '100', timestamp: '1700000000000' }), kafkaMessage({}, { offset: '101', timestamp: '1700000000000' })];
    await b.last()?.eachBatch?.({
      batch: { topic, partition: 0, messages, highWatermark: '200' },
      resolveOffset: () => undefined,
      heartbeat: async () => undefined,
      commitOffsetsIfNecessary: async () => undefined,
      uncommittedOffsets: () => ({ topics: [] }),
      isRunning: () => true,
      isStale: () => false,
      pause: () => () => undefined,
    } as unknown as EachBatchPayload);
  }
  await tracing.shutdown();
  return exporter.spans;
}

const ns = (t: HrTime) => BigInt(t[0]) * 1_000_000_000n + BigInt(t[1]);

/** A span as fields to compare: ids replaced by the index of the span they name (or 'upstream:<id>'). */
function view(span: ReadableSpan, all: ReadableSpan[]) {
  const ref = (sc: SpanContext | undefined) => {
    if (!sc) return undefined;
    const i = all.findIndex((s) => s.spanContext().spanId === sc.spanId);
    return i >= 0 ? `span#${i}` : `upstream:${sc.traceId}-${sc.spanId}`;
  };
  const sc = span.spanContext();
  const traceOf = (traceId: string) => {
    const i = all.findIndex((s) => s.spanContext().traceId === traceId);
    return upstreamIds.has(traceId) ? traceId : `trace of span#${i}`;
  };
  return {
    name: span.name,
    kind: span.kind,
    trace: traceOf(sc.traceId),
    traceFlags: sc.traceFlags,
    traceState: sc.traceState?.serialize(),
    parent: ref(span.parentSpanContext),
    attributes: span.attributes,
    droppedAttributesCount: span.droppedAttributesCount,
    links: span.links.map((l) => ({ ...l, context: ref(l.context) })),
    droppedLinksCount: span.droppedLinksCount,
    events: span.events.map((e) => ({ ...e, time: undefined })),
    droppedEventsCount: span.droppedEventsCount,
    status: span.status,
    ended: span.ended,
    resource: span.resource.attributes,
    scope: span.instrumentationScope,
  };
}
const upstreamIds = new Set([upstream, upstreamRandom, forwarded].map((h) => h.split('-')[1] as string));

describe('lean spans', () => {
  it('export the same spans, field by field, as the SDK spans for every span the middleware makes', async () => {
    const sdk = await scenarios(false);
    const lean = await scenarios(true);
    assert.ok(sdk.length >= 19, `scenarios make many spans (${sdk.length})`);
    assert.equal(lean.length, sdk.length, 'as many spans');
    assert.ok(lean.every((s) => !(s instanceof (sdk[0] as object).constructor)), 'the lean run made no SDK span');
    const names = new Set(sdk.map((s) => `${s.name}/${String(s.attributes['messaging.operation.name'])}`));
    for (const want of ['send orders/send', 'create orders/create', 'send/send', 'send dlq/send', 'process orders/process', 'process untrusted/process']) {
      assert.ok(names.has(want), `scenario covers ${want}`);
    }
    assert.ok(sdk.some((s) => s.status.code === SpanStatusCode.ERROR && s.events.some((e) => e.name === 'exception')), 'an error with its exception event');
    assert.ok(sdk.some((s) => (s.spanContext().traceFlags & 2) !== 0), 'a span that keeps the random trace-id flag');
    for (let i = 0; i < sdk.length; i++) {
      assert.deepEqual(view(lean[i] as ReadableSpan, lean), view(sdk[i] as ReadableSpan, sdk), `span #${i} (${sdk[i]?.name})`);
    }
  });

  it('encode to Thrift bodies of the same size as the SDK spans (ids and times are fixed-size fields)', async () => {
    const sdk = await scenarios(false);
    const lean = await scenarios(true);
    const process = { serviceName: 'parity', tags: [] };
    for (let i = 0; i < sdk.length; i++) {
      const a = new ThriftBatchBuilder(process);
      a.add(lean[i] as ReadableSpan);
      const b = new ThriftBatchBuilder(process);
      b.add(sdk[i] as ReadableSpan);
      assert.equal(a.finish().length, b.finish().length, `span #${i} (${sdk[i]?.name})`);
    }
  });

  it('time spans in order, to the sub-millisecond where they read the clock', async () => {
    const lean = await scenarios(true);
    for (const s of lean) {
      assert.ok(ns(s.startTime) <= ns(s.endTime), `${s.name}: start ≤ end`);
      assert.deepEqual(s.duration, [Number((ns(s.endTime) - ns(s.startTime)) / 1_000_000_000n), Number((ns(s.endTime) - ns(s.startTime)) % 1_000_000_000n)]);
      for (const e of s.events) assert.ok(ns(s.startTime) <= ns(e.time) && ns(e.time) <= ns(s.endTime), `${s.name}: event ${e.name} within the span`);
      const parent = lean.find((p) => p.spanContext().spanId === s.parentSpanContext?.spanId);
      if (parent) assert.ok(ns(parent.startTime) <= ns(s.startTime), `${s.name} starts after its parent ${parent.name}`);
      assert.ok(Math.abs(Number(ns(s.startTime) / 1_000_000n) - Date.now()) < 60_000, 'on the wall clock');
    }
    const own = lean.filter((s) => s.kind !== undefined && s.name !== 'process orders' && s.name !== 'process untrusted');
    assert.ok(own.some((s) => s.startTime[1] % 1_000_000 !== 0), 'start times are not all whole milliseconds');
  });
});
