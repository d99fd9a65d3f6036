// Our Thrift encoding of a Jaeger Batch against the exporter's own: both decoded by jaeger-client's
// Thrift interpreter (an independent decoder), then compared field by field.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { encodeBatch, type TagValue } from '../../../src/setup/jaeger-thrift';

// The exporter's internals: its span mapping and the jaeger-client Thrift codec it encodes with.
const requireFromHere = createRequire(__filename);
const { spanToThrift } = requireFromHere('@opentelemetry/exporter-jaeger/build/src/transform') as { spanToThrift: (s: ReadableSpan) => unknown };
const { HTTPSender } = requireFromHere('@opentelemetry/exporter-jaeger/build/src/types') as { HTTPSender: new (o: object) => { _jaegerThrift: ThriftCodec } };
interface ThriftCodec {
  Span: new (s: unknown) => unknown;
  Batch: (new (b: unknown) => unknown) & { rw: { toBuffer(b: unknown): { value: Buffer }; fromBuffer(b: Buffer): { err: Error | null; value: DecodedBatch } } };
}
interface DecodedTag { key: string; vType: string; vStr: string | null; vDouble: number | null; vBool: boolean | null }
interface DecodedSpan {
  traceIdLow: Buffer; traceIdHigh: Buffer; spanId: Buffer; parentSpanId: Buffer; operationName: string; flags: number;
  startTime: Buffer; duration: Buffer; references: { refType: string; traceIdLow: Buffer; traceIdHigh: Buffer; spanId: Buffer }[] | null;
  tags: DecodedTag[] | null; logs: { timestamp: Buffer; fields: DecodedTag[] }[] | null;
}
interface DecodedBatch { process: { serviceName: string; tags: DecodedTag[] | null }; spans: DecodedSpan[] }
const codec = new HTTPSender({ endpoint: 'http://127.0.0.1:1/api/traces' })._jaegerThrift;

const RESOURCE = resourceFromAttributes({ 'service.name': 'checkout', 'host.name': 'box', 'process.pid': 42, 'x.flag': true });

function decode(buf: Buffer): DecodedBatch {
  const { err, value } = codec.Batch.rw.fromBuffer(buf);
  if (err) throw err;
  return value;
}
const tagValue = (t: DecodedTag): TagValue => (t.vType === 'DOUBLE' ? (t.vDouble as number) : t.vType === 'BOOL' ? (t.vBool as boolean) : (t.vStr as string));
const tagMap = (tags: DecodedTag[] | null) => new Map((tags ?? []).map((t) => [t.key, tagValue(t)]));
const int64 = (b: Buffer) => b.readBigUInt64BE(0);

/** Decoded span as plain data; `resourceKeys` are left out of its tags (ours keeps them in the Process). */
function normalize(s: DecodedSpan, resourceKeys: Set<string>) {
  const tags = [...tagMap(s.tags)].filter(([k]) => !resourceKeys.has(k));
  return {
    ids: [s.traceIdHigh, s.traceIdLow, s.spanId, s.parentSpanId].map((b) => b.toString('hex')),
    name: s.operationName,
    flags: s.flags,
    start: int64(s.startTime),
    duration: int64(s.duration),
    refs: (s.references ?? []).map((r) => [r.refType, r.traceIdHigh.toString('hex'), r.traceIdLow.toString('hex'), r.spanId.toString('hex')]),
    tags: new Map(tags),
    logs: (s.logs ?? []).map((l) => ({ ms: Number(int64(l.timestamp)) / 1000, fields: tagMap(l.fields) })),
  };
}

const SCOPE_RENAMES = [
  ['otel.library.name', 'otel.scope.name'],
  ['otel.library.version', 'otel.scope.version'],
] as const;

function compare(spans: ReadableSpan[]): void {
  const ours = decode(encodeBatch({ serviceName: 'checkout', tags: [['host.name', 'box'], ['process.pid', 42], ['x.flag', true]] }, spans));
  const theirs = decode(codec.Batch.rw.toBuffer(new codec.Batch({ process: { serviceName: 'checkout', tags: [] }, spans: spans.map((s) => new codec.Span(spanToThrift(s))) })).value);
  assert.equal(ours.process.serviceName, 'checkout');
  assert.deepEqual(tagMap(ours.process.tags), new Map<string, TagValue>([['host.name', 'box'], ['process.pid', 42], ['x.flag', true]]));
  assert.equal(ours.spans.length, spans.length);
  const resourceKeys = new Set(Object.keys(RESOURCE.attributes));
  ours.spans.forEach((o, i) => {
    const a = normalize(o, resourceKeys);
    const b = normalize(theirs.spans[i] as DecodedSpan, resourceKeys);
    // Where we differ on purpose: the scope named as Jaeger's OTLP translation names it.
    for (const [from, to] of SCOPE_RENAMES) {
      const v = b.tags.get(from);
      b.tags.delete(from);
      if (v !== undefined) b.tags.set(to, v);
    }
    // The exporter rounds event times to milliseconds; ours keeps microseconds.
    assert.equal(a.logs.length, b.logs.length);
    a.logs.forEach((l, j) => {
      assert.ok(Math.abs(l.ms - (b.logs[j]?.ms ?? NaN)) <= 1, `log ${j} time`);
      assert.deepEqual(l.fields, b.logs[j]?.fields);
    });
    assert.deepEqual({ ...a, logs: [] }, { ...b, logs: [] });
    assert.equal([...tagMap(o.tags).keys()].filter((k) => resourceKeys.has(k)).length, 0, 'no resource attribute copied onto the span');
  });
}

function provider() {
  const memory = new InMemorySpanExporter();
  const tp = new BasicTracerProvider({ resource: RESOURCE, spanProcessors: [new SimpleSpanProcessor(memory)] });
  return { tracer: tp.getTracer('kafkajs-tracing', '0.1.0'), memory };
}

describe('Jaeger Thrift encoding', () => {
  it('matches the exporter field by field: ids, parent, links, kind, status, events, attribute types', () => {
    const { tracer, memory } = provider();
    const parent = tracer.startSpan('send orders', { kind: SpanKind.PRODUCER, attributes: { 'messaging.system': 'kafka', 'messaging.kafka.offset': 1234, tombstone: false } });
    const ctx = trace.setSpan(ROOT_CONTEXT, parent);
    const child = tracer.startSpan(
      'process orders',
      { kind: SpanKind.CONSUMER, links: [{ context: parent.spanContext() }], attributes: { list: ['a', 'b'], ratio: 0.25, neg: -7, unicode: 'héllo ✓ 🚀' } },
      ctx,
    );
    child.addEvent('exception', { 'exception.type': 'TypeError', 'exception.message': 'boom' });
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
    child.end();
    parent.setStatus({ code: SpanStatusCode.OK });
    parent.end();
    const internal = tracer.startSpan('internal work');
    internal.end();
    const spans = memory.getFinishedSpans();
    compare(spans);
    const decoded = decode(encodeBatch({ serviceName: 'checkout', tags: [] }, spans));
    const process = decoded.spans[0] as DecodedSpan;
    assert.equal(process.parentSpanId.toString('hex'), parent.spanContext().spanId, 'CHILD_OF parent kept');
    assert.equal(tagMap(process.tags).get('error'), true);
  });

  it('matches the exporter with dropped attribute/event/link counts and more distinct keys than the key cache holds', () => {
    const memory = new InMemorySpanExporter();
    const tp = new BasicTracerProvider({
      resource: RESOURCE,
      spanProcessors: [new SimpleSpanProcessor(memory)],
      spanLimits: { attributeCountLimit: 4, eventCountLimit: 1, linkCountLimit: 1 },
    });
    const tracer = tp.getTracer('kafkajs-tracing', '0.1.0');
    const other = tracer.startSpan('other');
    other.end();
    for (let i = 0; i < 700; i++) {
      const s = tracer.startSpan(`op ${i}`, { links: [{ context: other.spanContext() }, { context: other.spanContext() }], attributes: { [`key.${i}`]: `v${i}`, 'messaging.system': 'kafka', n: i } });
      if (i % 2 === 0) s.setAttributes({ a: 1, b: 2, c: 'é' });
      if (i % 3 === 0) ['e1', 'e2'].forEach((e) => s.addEvent(e));
      s.end();
    }
    const spans = memory.getFinishedSpans();
    assert.ok(spans.some((s) => s.droppedAttributesCount > 0 && s.droppedEventsCount > 0 && s.droppedLinksCount > 0));
    compare(spans);
    compare(spans); // the second time with the keys' encodings cached
  });

  it('matches the exporter on generated attributes, names and events (300 cases)', () => {
    const value = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 40 }),
      fc.double({ noNaN: true }),
      fc.integer(),
      fc.boolean(),
      fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
    );
    const attributes = fc.dictionary(fc.string({ minLength: 1, maxLength: 20 }), value, { maxKeys: 12 });
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), attributes, fc.array(fc.tuple(fc.string({ maxLength: 10 }), attributes), { maxLength: 3 }), (name, attrs, events) => {
        const { tracer, memory } = provider();
        const span = tracer.startSpan(name, { attributes: attrs as Attributes });
        for (const [eventName, eventAttrs] of events) span.addEvent(eventName, eventAttrs as Attributes);
        span.end();
        compare(memory.getFinishedSpans());
      }),
      { numRuns: 300, seed: 20261124, endOnFailure: true },
    );
  });

  it('stores tracestate as w3c.tracestate and the scope as otel.scope.name / otel.scope.version', () => {
    const { tracer, memory } = provider();
    const upstream = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: 1,
      isRemote: true,
      traceState: new TraceState('vendor=abc,other=x:1'),
    });
    tracer.startSpan('process orders', { kind: SpanKind.CONSUMER }, upstream).end();
    tracer.startSpan('no state').end();
    const [withState, without] = decode(encodeBatch({ serviceName: 'checkout', tags: [] }, memory.getFinishedSpans())).spans.map((x) => tagMap(x.tags));
    assert.equal(withState?.get('w3c.tracestate'), 'vendor=abc,other=x:1');
    assert.equal(without?.has('w3c.tracestate'), false, 'no tag without a tracestate');
    assert.equal(withState?.get('otel.scope.name'), 'kafkajs-tracing');
    assert.equal(withState?.get('otel.scope.version'), '0.1.0');
    assert.equal(withState?.has('otel.library.name'), false);
  });

  it("writes Jaeger's sampled flag only: W3C's random trace-id bit (02) is Jaeger's debug bit", () => {
    const { tracer, memory } = provider();
    const span = tracer.startSpan('random');
    span.spanContext().traceFlags = 0x03; // as RandomTraceFlagProcessor leaves a continued random trace
    span.end();
    assert.equal(decode(encodeBatch({ serviceName: 'checkout', tags: [] }, memory.getFinishedSpans())).spans[0]?.flags, 1);
  });

  it('grows its buffer for large batches', () => {
    const { tracer, memory } = provider();
    for (let i = 0; i < 3000; i++) tracer.startSpan(`s${i}`, { attributes: { payload: 'x'.repeat(200) } }).end();
    const decoded = decode(encodeBatch({ serviceName: 'checkout', tags: [] }, memory.getFinishedSpans()));
    assert.equal(decoded.spans.length, 3000);
    assert.equal(decoded.spans[2999]?.operationName, 's2999');
  });

  it('matches the exporter whether a tag value comes from the encoded-tag cache or not: repeated, many and long values', () => {
    const { tracer, memory } = provider();
    for (let i = 0; i < 120; i++) {
      tracer
        .startSpan(`send t${i % 50}`, {
          kind: SpanKind.PRODUCER,
          // 50 topics (more than a key's cached values), a value too long to cache, a repeated one, non-ASCII.
          attributes: { 'messaging.destination.name': `t${i % 50}`, 'messaging.system': 'kafka', long: 'L'.repeat(65 + (i % 3)), city: i % 2 ? 'Zürich' : 'Köln' },
        })
        .end();
    }
    const spans = memory.getFinishedSpans();
    compare(spans);
    compare(spans); // now served from the cache where it holds them
    const first = encodeBatch({ serviceName: 'checkout', tags: [] }, spans);
    assert.ok(first.equals(encodeBatch({ serviceName: 'checkout', tags: [] }, spans)), 'the same bytes from the cache as without it');
  });

  it('encodes ids of either case, and an id that is not 16 hex digits as 0', () => {
    const at = (spanId: string, parent?: string) =>
      ({
        name: 'odd',
        kind: SpanKind.INTERNAL,
        spanContext: () => ({ traceId: '0AF7651916CD43DD8448EB211C80319C', spanId, traceFlags: 1 }),
        parentSpanContext: parent ? { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: parent, traceFlags: 1 } : undefined,
        startTime: [1, 0],
        duration: [0, 1000],
        attributes: {},
        status: { code: SpanStatusCode.UNSET },
        links: [],
        events: [],
        instrumentationScope: { name: 's' },
        droppedAttributesCount: 0,
        droppedEventsCount: 0,
        droppedLinksCount: 0,
      }) as unknown as ReadableSpan;
    const spans = [at('B7AD6B7169203331', 'b7ad6b716920333z'), at('b7ad6b716920333', 'b7ad6b71692033311'), at('zzzzzzzzzzzzzzzz')];
    const decoded = decode(encodeBatch({ serviceName: 'checkout', tags: [] }, spans)).spans;
    assert.deepEqual(
      decoded.map((d) => [d.traceIdHigh, d.traceIdLow, d.spanId, d.parentSpanId].map((b) => b.toString('hex'))),
      [
        ['0af7651916cd43dd', '8448eb211c80319c', 'b7ad6b7169203331', '0000000000000000'],
        ['0af7651916cd43dd', '8448eb211c80319c', '0000000000000000', '0000000000000000'],
        ['0af7651916cd43dd', '8448eb211c80319c', '0000000000000000', '0000000000000000'],
      ],
    );
  });
});
