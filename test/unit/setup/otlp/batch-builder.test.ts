// The OTLP encoder against the reference: the same spans, made by a real SDK provider with every
// field the encoder writes, through OtlpBatchBuilder and through @opentelemetry/otlp-transformer's
// ProtobufTraceSerializer, both decoded with the OTLP schema (test/support/otlp-proto.ts) and
// compared field by field.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTraceState, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags, type Attributes, type Link } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import fc from 'fast-check';
import { OtlpBatchBuilder, encodeResource } from '../../../../src/setup/otlp/batch-builder';
import { decodeTraceRequest, type Decoded } from '../../../support/otlp-proto';

const resource = resourceFromAttributes(
  { 'service.name': 'svc-otlp', 'service.version': '1.2.3', 'host.name': 'h1', 'process.pid': 4242, 'x.ratio': 0.25, 'x.flag': true, 'x.list': ['a', 'b'] },
  { schemaUrl: 'https://opentelemetry.io/schemas/1.28.0' },
);

/** Every attribute type the SDK keeps, with integers past 2^31, 2^32 and 2^53, and non-ASCII and long strings. */
const ALL_TYPES: Attributes = {
  'messaging.system': 'kafka',
  'messaging.destination.name': 'tøpic ✓ 🎉',
  'x.long': 'x'.repeat(300),
  // Around the lengths where a length prefix takes another byte (and a message must move).
  'x.127': 'a'.repeat(127),
  'x.128': 'b'.repeat(128),
  'x.16383': 'c'.repeat(16383),
  'x.16384': 'd'.repeat(16384),
  'x.empty': '',
  'x.true': true,
  'x.false': false,
  'x.zero': 0,
  'x.small': 7,
  'x.negative': -42,
  'x.past-2^31': 2 ** 31 + 5,
  'x.past-2^32': 2 ** 32 + 123456,
  'x.past-2^53': 2 ** 60,
  'x.most-negative': -(2 ** 63),
  'x.big-negative': -(2 ** 40) - 3,
  'x.double': 3.141592653589793,
  'x.negative-double': -0.5,
  'x.huge-double': 1e300,
  'x.infinity': Infinity,
  'x.strings': ['a', 'b', 'ç'],
  'x.ints': [1, -2, 2 ** 40],
  'x.doubles': [1.5, 2.25],
  'x.bools': [true, false],
  'x.with-null': ['a', null, 'c'],
  'x.empty-list': [],
};

async function makeSpans(): Promise<ReadableSpan[]> {
  const memory = new InMemorySpanExporter();
  const processor = new SimpleSpanProcessor({ exporter: memory });
  const provider = new TracerProvider({
    resource,
    spanLimits: { attributeCountLimit: 40, eventCountLimit: 2, linkCountLimit: 2, attributePerEventCountLimit: 2, attributePerLinkCountLimit: 2 },
    spanProcessors: [processor],
  });
  const ours = provider.getTracer('kafkajs-tracing', '0.1.0');
  const other = provider.getTracer('other-scope');
  const schemed = provider.getTracer('schemed-scope', '2.0.0', { schemaUrl: 'https://opentelemetry.io/schemas/1.30.0' });

  // A remote parent, with a trace state the child inherits.
  const remote = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
    traceState: createTraceState('vendor=abc,other=x-1'),
  });
  const linkRemote: Link = {
    context: { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED, isRemote: true, traceState: createTraceState('k=v') },
    attributes: { 'messaging.message.id': 'm-1', 'x.n': 3 },
  };
  const linkLocal: Link = {
    context: { traceId: '11111111111111111111111111111111', spanId: '2222222222222222', traceFlags: TraceFlags.NONE },
    attributes: { a: 1, b: 2, c: 3 }, // one over the per-link limit: dropped_attributes_count 1
  };

  const consumer = ours.startSpan('process orders', { kind: SpanKind.CONSUMER, attributes: ALL_TYPES, links: [linkRemote, linkLocal], startTime: [1767225600, 123456789] }, remote);
  consumer.addEvent('first (dropped: the limit keeps the newest two)');
  consumer.addEvent('retry', { attempt: 2, 'x.why': 'timeout', 'x.more': true }, [1767225600, 500000001]); // one attribute dropped
  consumer.addEvent('second', undefined, [1767225600, 600000000]);
  consumer.setStatus({ code: SpanStatusCode.ERROR, message: 'handler failed: ünïcode' });
  consumer.end([1767225601, 999999999]);

  const child = other.startSpan('child internal', {}, trace.setSpan(ROOT_CONTEXT, consumer));
  child.setStatus({ code: SpanStatusCode.OK });
  child.end();
  for (const [i, kind] of [SpanKind.INTERNAL, SpanKind.SERVER, SpanKind.CLIENT, SpanKind.PRODUCER, SpanKind.CONSUMER].entries()) {
    const tracer = [ours, other, schemed][i % 3]!;
    const span = tracer.startSpan(`span ${i}`, { kind, attributes: { 'x.i': i } });
    span.end();
  }
  // Too many attributes and links for the limits: the dropped counts.
  const crowded = schemed.startSpan('crowded', { links: [linkLocal, linkLocal, linkLocal, linkLocal] });
  for (let i = 0; i < 45; i++) crowded.setAttribute(`k${i}`, i);
  crowded.end();
  await processor.forceFlush(); // sdk-trace's simple processor exports asynchronously
  return memory.getFinishedSpans();
}

function ours(spans: readonly ReadableSpan[], initialBytes = 64): Buffer {
  const builder = new OtlpBatchBuilder(encodeResource(resource), initialBytes);
  for (const span of spans) builder.add(span);
  assert.equal(builder.spans, spans.length);
  const expectedLength = builder.bytes;
  const body = builder.finish();
  assert.equal(body.length, expectedLength, '`bytes` is the size finish() gives');
  return body;
}

function reference(spans: readonly ReadableSpan[]): Uint8Array {
  const body = ProtobufTraceSerializer.serializeRequest(spans as Parameters<typeof ProtobufTraceSerializer.serializeRequest>[0]);
  assert.ok(body);
  return body;
}

/** The spans of a decoded request, by name. */
function spansOf(decoded: Decoded): Map<string, Decoded> {
  const out = new Map<string, Decoded>();
  for (const rs of decoded.resource_spans as Decoded[]) for (const ss of rs.scope_spans as Decoded[]) for (const s of ss.spans as Decoded[]) out.set(s.name as string, s);
  return out;
}

describe('OtlpBatchBuilder', () => {
  it('encodes what the reference serializer encodes, decoded field by field: resource, scopes, ids, times, attributes of every type, events, links, status, flags', async () => {
    const spans = await makeSpans();
    assert.equal(spans.length, 8);
    const mine = decodeTraceRequest(ours(spans));
    const theirs = decodeTraceRequest(reference(spans));
    assert.deepStrictEqual(mine, theirs);
  });

  it('writes the reference bytes exactly', async () => {
    const spans = await makeSpans();
    assert.ok(ours(spans).equals(reference(spans)));
  });

  it('carries each field as the OTLP specification says (checked without the reference)', async () => {
    const decoded = decodeTraceRequest(ours(await makeSpans()));
    const [rs] = decoded.resource_spans as Decoded[];
    assert.equal(rs?.schema_url, 'https://opentelemetry.io/schemas/1.28.0');
    const scopes = (rs?.scope_spans as Decoded[]).map((ss) => [(ss.scope as Decoded).name, (ss.scope as Decoded).version, ss.schema_url, (ss.spans as Decoded[]).length]);
    assert.deepEqual(scopes, [
      ['kafkajs-tracing', '0.1.0', '', 3],
      ['other-scope', '', '', 3],
      ['schemed-scope', '2.0.0', 'https://opentelemetry.io/schemas/1.30.0', 2],
    ]);
    const byName = spansOf(decoded);
    const consumer = byName.get('process orders') as Decoded;
    assert.equal(consumer.trace_id, '0af7651916cd43dd8448eb211c80319c');
    assert.equal(consumer.parent_span_id, 'b7ad6b7169203331');
    assert.equal(consumer.trace_state, 'vendor=abc,other=x-1');
    assert.equal(consumer.kind, 5, 'CONSUMER is 4 in the API, 5 in OTLP');
    assert.equal(consumer.flags, 0x301, 'sampled, has-is-remote, is-remote');
    assert.equal(consumer.start_time_unix_nano, String(1767225600n * 1_000_000_000n + 123456789n), 'nanoseconds, exact');
    assert.equal(consumer.end_time_unix_nano, String(1767225601n * 1_000_000_000n + 999999999n));
    assert.deepEqual(consumer.status, { message: 'handler failed: ünïcode', code: 2 });
    assert.equal(consumer.dropped_events_count, 1);
    const attrs = new Map((consumer.attributes as Decoded[]).map((kv) => [kv.key, kv.value as Decoded]));
    assert.equal(attrs.get('x.past-2^53')?.int_value, String(2n ** 60n));
    assert.equal(attrs.get('x.most-negative')?.int_value, String(-(2n ** 63n)));
    assert.equal(attrs.get('x.big-negative')?.int_value, String(-(2n ** 40n) - 3n));
    assert.equal(attrs.get('x.double')?.double_value, 3.141592653589793);
    assert.equal(attrs.get('x.huge-double')?.double_value, 1e300, 'an integer past int64 stays a double');
    assert.equal(attrs.get('messaging.destination.name')?.string_value, 'tøpic ✓ 🎉');
    const [event] = consumer.events as Decoded[];
    assert.equal(event?.time_unix_nano, String(1767225600n * 1_000_000_000n + 500000001n));
    assert.equal(event?.dropped_attributes_count, 1);
    const [remoteLink, localLink] = consumer.links as Decoded[];
    assert.equal(remoteLink?.trace_state, 'k=v');
    assert.equal(remoteLink?.flags, 0x301);
    assert.equal(localLink?.flags, 0x100, 'not sampled, known not remote');
    assert.equal(localLink?.dropped_attributes_count, 1);
    const child = byName.get('child internal') as Decoded;
    assert.equal(child.flags, 0x101, 'a local parent');
    assert.equal(child.trace_state, 'vendor=abc,other=x-1');
    const crowded = byName.get('crowded') as Decoded;
    assert.equal(crowded.dropped_attributes_count, 5);
    assert.equal(crowded.dropped_links_count, 2);
  });

  it('bytes and key-value lists (values the SDK does not make but the reference maps) match too', async () => {
    const [span] = await makeSpans();
    const odd = Object.create(span as object, {
      attributes: { value: { 'x.bytes': new Uint8Array([0, 1, 254, 255]), 'x.map': { a: 1, b: 'two', nested: { c: [true] } } } },
    }) as ReadableSpan;
    assert.deepStrictEqual(decodeTraceRequest(ours([odd])), decodeTraceRequest(reference([odd])));
  });

  it('builds the next body in the same builder, with only its own spans and scopes', async () => {
    const spans = await makeSpans();
    const builder = new OtlpBatchBuilder(encodeResource(resource), 64);
    for (const span of spans) builder.add(span);
    builder.finish();
    const later = spans.filter((s) => s.instrumentationScope.name === 'other-scope');
    for (const span of later) builder.add(span);
    assert.deepStrictEqual(decodeTraceRequest(builder.finish()), decodeTraceRequest(reference(later)));
  });

  it('a span that fails half-way leaves the body as it was', async () => {
    const spans = await makeSpans();
    const builder = new OtlpBatchBuilder(encodeResource(resource), 64);
    builder.add(spans[0]!);
    const broken = Object.create(spans[1] as object, { events: { get: () => { throw new Error('broken span'); } } }) as ReadableSpan;
    assert.throws(() => builder.add(broken), /broken span/);
    const brokenNewScope = Object.create(spans[2] as object, { events: { get: () => { throw new Error('broken span'); } } }) as ReadableSpan;
    assert.throws(() => builder.add(brokenNewScope), /broken span/);
    builder.add(spans[3]!);
    assert.equal(builder.spans, 2);
    assert.deepStrictEqual(decodeTraceRequest(builder.finish()), decodeTraceRequest(reference([spans[0]!, spans[3]!])));
  });
});

describe('OtlpBatchBuilder on generated attributes', () => {
  it('writes the reference bytes for any attributes: strings of any characters, integers of any size, doubles, booleans, arrays', async () => {
    const [base] = await makeSpans();
    const scalar = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.boolean(),
      fc.integer(),
      fc.maxSafeInteger(),
      fc.double(),
      fc.constantFrom(2 ** 31, 2 ** 32, 2 ** 53, 2 ** 63, -(2 ** 63), 2 ** 64, -0, 'lone \ud800 surrogate', 'é'.repeat(100), 'a'.repeat(128)),
    );
    const value = fc.oneof(scalar, fc.array(fc.oneof(scalar, fc.constant(null)), { maxLength: 5 }));
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 40 }), value, { maxKeys: 12 }), fc.string({ unit: 'binary', maxLength: 200 }), (attributes, name) => {
        const span = Object.create(base as object, { attributes: { value: attributes }, name: { value: name } }) as ReadableSpan;
        const mine = ours([span]);
        assert.ok(mine.equals(reference([span])));
        decodeTraceRequest(mine); // and valid protobuf of the schema
      }),
      { numRuns: 300 },
    );
  });
});
