// The lean tracer's lazy start (START_LAZILY), which the middleware uses to skip a sampled-out
// message's attributes: the same decisions and span contexts as startSpan, attributes built only when
// the span records or a sampler must see them; the root decision it takes from the trace id alone is
// the SDK ratio sampler's; the middleware finds the lazy start behind the global proxy provider.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT_CONTEXT, SpanKind, TraceFlags, trace, createTraceState, type Attributes, type Tracer } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { InMemorySpanExporter, TracerProvider, SamplingDecision, TraceIdRatioBasedSampler, type Sampler } from '@opentelemetry/sdk-trace';
import { startTracing } from '../../../../src/setup/index';
import { ratioDecision } from '../../../../src/setup/lean/parent-decides';
import { PooledIdGenerator } from '../../../../src/setup/lean/pooled-ids';
import { START_LAZILY, asLazyTracer, type LazyTracer } from '../../../../src/spans/lazy-start';
import { clientTracing } from '../../../../src/client-tracing';

/** An attribute builder that counts its calls. */
function counting(): { build: (topic: string) => Attributes; calls: () => number } {
  let n = 0;
  return { build: (topic) => (n++, { 'messaging.destination.name': topic }), calls: () => n };
}

const lazyOf = (tracer: Tracer): LazyTracer => {
  const lazy = asLazyTracer(tracer);
  assert.ok(lazy, 'startTracing’s lean tracer starts spans lazily');
  return lazy;
};
const parentCtx = (flags: number) =>
  trace.setSpanContext(ROOT_CONTEXT, { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: flags, isRemote: true, traceState: createTraceState('v=1') });

describe('the lean tracer’s lazy start', () => {
  const exporter = new InMemorySpanExporter();
  const tracing = startTracing({ serviceName: 'lazy', exporter, register: false, metrics: false, sampleRatio: 0.25 });
  const tracer = lazyOf(tracing.provider.getTracer('t'));
  after(() => tracing.shutdown());

  it('a sampled-out parent: the span startSpan makes, without building attributes', () => {
    const c = counting();
    for (const flags of [TraceFlags.NONE, 0x02]) {
      const ctx = parentCtx(flags);
      const lazy = tracer[START_LAZILY]('process t', SpanKind.CONSUMER, ctx, c.build, 't', undefined, undefined);
      const eager = tracer.startSpan('process t', { kind: SpanKind.CONSUMER, attributes: { a: 1 } }, ctx);
      assert.equal(lazy.isRecording(), false);
      const [l, e] = [lazy.spanContext(), eager.spanContext()];
      assert.deepEqual([l.traceId, l.traceFlags, l.traceState?.serialize()], [e.traceId, e.traceFlags, e.traceState?.serialize()]);
      assert.equal(l.traceFlags, flags & 0x02, 'the random trace-id flag travels on, unsampled');
      assert.match(l.spanId, /^[0-9a-f]{16}$/);
      assert.notEqual(l.spanId, 'b7ad6b7169203331', 'a span id of its own');
    }
    assert.equal(c.calls(), 0, 'no attributes built');
  });

  it('a sampled parent: one attribute build, a recording child with them', async () => {
    const c = counting();
    const span = tracer[START_LAZILY]('process t', SpanKind.CONSUMER, parentCtx(TraceFlags.SAMPLED), c.build, 'orders', [{ context: trace.getSpanContext(parentCtx(1))! }], 1_700_000_000_000);
    assert.equal(c.calls(), 1);
    assert.equal(span.isRecording(), true);
    span.end();
    await tracing.forceFlush();
    const done = exporter.getFinishedSpans().at(-1)!;
    assert.equal(done.attributes['messaging.destination.name'], 'orders');
    assert.equal(done.parentSpanContext?.spanId, 'b7ad6b7169203331');
    assert.equal(done.links.length, 1);
    assert.deepEqual(done.startTime, [1_700_000_000, 0]);
  });

  it('roots: the ratio decided on the trace id, attributes only for the sampled ones', () => {
    const c = counting();
    const sdk = new TraceIdRatioBasedSampler(0.25);
    let sampled = 0;
    for (let i = 0; i < 2000; i++) {
      const span = tracer[START_LAZILY]('send t', SpanKind.PRODUCER, ROOT_CONTEXT, c.build, 't', undefined, undefined);
      const { traceId } = span.spanContext();
      const expected = sdk.shouldSample(ROOT_CONTEXT, traceId).decision === SamplingDecision.RECORD_AND_SAMPLED;
      assert.equal(span.isRecording(), expected, traceId);
      if (expected) sampled++;
      span.end();
    }
    assert.equal(c.calls(), sampled, 'one build per sampled root');
    assert.ok(sampled > 350 && sampled < 650, `about a quarter sampled: ${sampled}`);
  });

  it('suppressed tracing: the invalid span, no attributes', () => {
    const c = counting();
    const span = tracer[START_LAZILY]('send t', SpanKind.PRODUCER, suppressTracing(ROOT_CONTEXT), c.build, 't', undefined, undefined);
    assert.equal(trace.isSpanContextValid(span.spanContext()), false);
    assert.equal(c.calls(), 0);
  });

  it('a sampler of the user’s sees the attributes, as through startSpan', () => {
    const seen: Attributes[] = [];
    const sampler: Sampler = { shouldSample: (_c, _t, _n, _k, attributes) => (seen.push(attributes), { decision: SamplingDecision.NOT_RECORD }), toString: () => 'mine' };
    const own = startTracing({ serviceName: 'lazy', exporter, register: false, metrics: false, sampler });
    const span = lazyOf(own.provider.getTracer('t'))[START_LAZILY]('send t', SpanKind.PRODUCER, parentCtx(TraceFlags.NONE), counting().build, 'x', undefined, undefined);
    assert.equal(span.isRecording(), false);
    assert.deepEqual(seen, [{ 'messaging.destination.name': 'x' }]);
    return own.shutdown();
  });
});

/** A hex trace id's four 32-bit words XOR-ed together, the way the SDK's ratio sampler folds it: the reference for the generator's. */
function foldTraceId(traceId: string): number {
  let acc = 0;
  for (let i = 0; i < 32; i += 8) acc = (acc ^ parseInt(traceId.slice(i, i + 8), 16)) >>> 0;
  return acc;
}

describe('ratioDecision and the generator’s fold', () => {
  it('answer as the SDK’s TraceIdRatioBasedSampler for the ids the generator makes (60,000 cases)', () => {
    const ids = new PooledIdGenerator();
    for (const ratio of [0, 0.01, 0.25, 0.5, 0.999, 1, -1, 2, Number.NaN]) {
      const bound = ratioDecision(ratio);
      const sdk = new TraceIdRatioBasedSampler(ratio);
      for (let i = 0; i < 6000; i++) {
        const id = ids.generateTraceId();
        assert.equal(ids.lastTraceIdFold, foldTraceId(id), id);
        assert.equal(ids.lastTraceIdFold < bound, sdk.shouldSample(ROOT_CONTEXT, id).decision === SamplingDecision.RECORD_AND_SAMPLED, `${ratio} ${id}`);
      }
      for (const id of ['ffffffffffffffffffffffffffffffff', '00000000000000000000000000000001', 'fffffffe000000000000000000000000']) {
        assert.equal(foldTraceId(id) < bound, sdk.shouldSample(ROOT_CONTEXT, id).decision === SamplingDecision.RECORD_AND_SAMPLED, `${ratio} ${id}`);
      }
    }
  });
});

describe('ClientTracing.startSpan', () => {
  it('finds the lazy start behind the global proxy, registered after the client was made', async () => {
    trace.disable();
    const client = clientTracing({});
    const c = counting();
    client.startSpan('process t', SpanKind.CONSUMER, parentCtx(TraceFlags.NONE), c.build, 't', undefined, undefined);
    assert.equal(c.calls(), 1, 'nothing registered: the no-op tracer, attributes built first as startSpan takes them');
    const lean = startTracing({ serviceName: 'lazy', exporter: new InMemorySpanExporter(), metrics: false, sampleRatio: 1 });
    try {
      const span = client.startSpan('process t', SpanKind.CONSUMER, parentCtx(TraceFlags.NONE), c.build, 't', undefined, undefined);
      assert.equal(span.isRecording(), false);
      assert.equal(c.calls(), 1, 'decided by the lean tracer before any attribute');
      assert.equal(client.startSpan('process t', SpanKind.CONSUMER, parentCtx(TraceFlags.SAMPLED), c.build, 't', undefined, undefined).isRecording(), true);
      assert.equal(c.calls(), 2);
    } finally {
      await lean.shutdown();
      trace.disable();
    }
    trace.setGlobalTracerProvider(new TracerProvider({ spanProcessors: [] }));
    try {
      const sdkClient = clientTracing({});
      sdkClient.startSpan('process t', SpanKind.CONSUMER, parentCtx(TraceFlags.NONE), c.build, 't', undefined, undefined);
      assert.equal(c.calls(), 3, 'the SDK’s tracer: attributes built first');
    } finally {
      trace.disable();
    }
  });
});
