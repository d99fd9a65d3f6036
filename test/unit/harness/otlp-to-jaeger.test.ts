// OTLP JSON from /api/v3 → the legacy JSON model, case by case as Jaeger's own translator does it
// (collector-contrib `ProtoFromTraces` + Jaeger's UI JSON converter), and the readings of older
// Jaeger answers (base64 ids, enum names, instrumentationLibrarySpans, streamed chunks).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { attributeToTag, otlpIdToHex, tracesFromOtlp } from '../../../src/harness/otlp-to-jaeger';
import { parseV3Error, parseV3Traces, splitJsonValues, type OtlpResourceSpans, type OtlpSpan } from '../../../src/harness/otlp-json';

const T = '5b8efff798038103d269b633813fc60c';
const S = '1111111111111111';

function one(span: Partial<OtlpSpan>, resource: OtlpResourceSpans['resource'] = { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] }, scope = { name: 'lib', version: '1.0' }) {
  const traces = tracesFromOtlp([{ resource, scopeSpans: [{ scope, spans: [{ traceId: T, spanId: S, name: 'op', startTimeUnixNano: '1796526280010510848', endTimeUnixNano: '1796526280014010848', ...span }] }] }]);
  assert.equal(traces.length, 1);
  return traces[0]!;
}

describe('attributes → tags', () => {
  it('keeps each type as the legacy API shows it', () => {
    assert.deepEqual(attributeToTag({ key: 's', value: { stringValue: 'x' } }), { key: 's', type: 'string', value: 'x' });
    assert.deepEqual(attributeToTag({ key: 'b', value: { boolValue: false } }), { key: 'b', type: 'bool', value: false });
    assert.deepEqual(attributeToTag({ key: 'i', value: { intValue: '-42' } }), { key: 'i', type: 'int64', value: -42 });
    assert.deepEqual(attributeToTag({ key: 'i', value: { intValue: 7 } }), { key: 'i', type: 'int64', value: 7 });
    assert.deepEqual(attributeToTag({ key: 'big', value: { intValue: '9007199254740993' } }), { key: 'big', type: 'int64', value: '9007199254740993' }, 'beyond 2^53: the exact decimal string');
    assert.deepEqual(attributeToTag({ key: 'd', value: { doubleValue: 3.25 } }), { key: 'd', type: 'float64', value: 3.25 });
    assert.deepEqual(attributeToTag({ key: 'bin', value: { bytesValue: 'AQL/' } }), { key: 'bin', type: 'binary', value: 'AQL/' });
    assert.deepEqual(attributeToTag({ key: 'bin', value: { bytesValue: 'AQL_' } }), { key: 'bin', type: 'binary', value: 'AQL/' }, 'url-safe base64 normalised');
    assert.deepEqual(attributeToTag({ key: 'e', value: {} }), { key: 'e', type: 'string', value: '' });
  });

  it('writes arrays and maps as Go JSON strings: keys sorted, int64 exact, HTML characters escaped', () => {
    assert.deepEqual(attributeToTag({ key: 'arr', value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: '1' }, { boolValue: true }, { doubleValue: 0.5 }] } } }), {
      key: 'arr',
      type: 'string',
      value: '["a",1,true,0.5]',
    });
    assert.deepEqual(
      attributeToTag({ key: 'kv', value: { kvlistValue: { values: [{ key: 'z', value: { intValue: '9007199254740993' } }, { key: 'a', value: { stringValue: '<b>&' } }] } } }),
      { key: 'kv', type: 'string', value: '{"a":"\\u003cb\\u003e\\u0026","z":9007199254740993}' },
    );
  });
});

describe('spans → legacy spans', () => {
  it('times in microseconds, truncated as Jaeger does, from nanosecond strings beyond 2^53', () => {
    const t = one({ startTimeUnixNano: '1796526280010510848', endTimeUnixNano: '1796526280010511847' });
    assert.equal(t.spans[0]!.startTime, 1796526280010510);
    assert.equal(t.spans[0]!.duration, 0, '999 ns is 0 µs');
    const u = one({ startTimeUnixNano: '1796526280010510848', endTimeUnixNano: '1796526280014010848' });
    assert.equal(u.spans[0]!.duration, 3500);
  });

  it('tags from the scope, attributes, kind, status and trace state, sorted as the legacy query service sorts them', () => {
    const t = one({ kind: 4, attributes: [{ key: 'a', value: { stringValue: 'v' } }], status: { code: 2, message: 'broke' }, traceState: 'k=v' });
    assert.deepEqual(t.spans[0]!.tags, [
      { key: 'a', type: 'string', value: 'v' },
      { key: 'error', type: 'bool', value: true },
      { key: 'otel.scope.name', type: 'string', value: 'lib' },
      { key: 'otel.scope.version', type: 'string', value: '1.0' },
      { key: 'otel.status_code', type: 'string', value: 'ERROR' },
      { key: 'otel.status_description', type: 'string', value: 'broke' },
      { key: 'span.kind', type: 'string', value: 'producer' },
      { key: 'w3c.tracestate', type: 'string', value: 'k=v' },
    ]);
    assert.deepEqual(one({ kind: 2, status: { code: 1 } }, undefined, { name: '', version: '' }).spans[0]!.tags, [
      { key: 'otel.status_code', type: 'string', value: 'OK' },
      { key: 'span.kind', type: 'string', value: 'server' },
    ]);
    assert.deepEqual(one({ kind: 0 }, undefined, { name: '', version: '' }).spans[0]!.tags, [], 'unspecified kind and unset status: no tags');
  });

  it('reads enum names as the grpc-gateway of older Jaeger wrote them', () => {
    const t = one({ kind: 'SPAN_KIND_CONSUMER', status: { code: 'STATUS_CODE_ERROR' } }, undefined, { name: '', version: '' });
    assert.deepEqual(
      t.spans[0]!.tags?.map((x) => `${x.key}=${String(x.value)}`),
      ['error=true', 'otel.status_code=ERROR', 'span.kind=consumer'],
    );
  });

  it('parent as CHILD_OF, links as FOLLOWS_FROM; a link to the parent only changes its type; an opentracing child_of link is CHILD_OF and goes first', () => {
    const other = '0000000000000000abcdef0123456789';
    const t = one({
      parentSpanId: '2222222222222222',
      links: [
        { traceId: other, spanId: '00000000000000a1', attributes: [{ key: 'x', value: { stringValue: 'y' } }] },
        { traceId: T, spanId: '2222222222222222' },
        { traceId: T, spanId: '3333333333333333', attributes: [{ key: 'opentracing.ref_type', value: { stringValue: 'child_of' } }] },
      ],
    });
    assert.deepEqual(t.spans[0]!.references, [
      { refType: 'CHILD_OF', traceID: T, spanID: '3333333333333333' },
      { refType: 'FOLLOWS_FROM', traceID: 'abcdef0123456789', spanID: '00000000000000a1' },
      { refType: 'FOLLOWS_FROM', traceID: T, spanID: '2222222222222222' },
    ]);
    const plain = one({ parentSpanId: '2222222222222222', links: [{ traceId: other, spanId: '00000000000000a1' }] });
    assert.deepEqual(plain.spans[0]!.references, [
      { refType: 'CHILD_OF', traceID: T, spanID: '2222222222222222' },
      { refType: 'FOLLOWS_FROM', traceID: 'abcdef0123456789', spanID: '00000000000000a1' },
    ]);
    assert.deepEqual(one({ parentSpanId: '' }).spans[0]!.references, []);
    assert.deepEqual(one({ parentSpanId: '0000000000000000' }).spans[0]!.references, [], 'an all-zero parent is no parent');
  });

  it('events become logs with an `event` field, unless an attribute already has that key', () => {
    const t = one({
      events: [
        { timeUnixNano: '1796526280011510848', name: 'exception', attributes: [{ key: 'exception.message', value: { stringValue: 'boom' } }] },
        { timeUnixNano: '1796526280012000000', name: 'ignored', attributes: [{ key: 'event', value: { stringValue: 'own' } }] },
        { timeUnixNano: '1796526280013000000', name: '' },
      ],
    });
    assert.deepEqual(t.spans[0]!.logs, [
      { timestamp: 1796526280011510, fields: [{ key: 'event', type: 'string', value: 'exception' }, { key: 'exception.message', type: 'string', value: 'boom' }] },
      { timestamp: 1796526280012000, fields: [{ key: 'event', type: 'string', value: 'own' }] },
      { timestamp: 1796526280013000, fields: [] },
    ]);
  });

  it("moves Jaeger's warnings attribute into the span's warnings", () => {
    const t = one({ attributes: [{ key: '@jaeger@warnings', value: { arrayValue: { values: [{ stringValue: 'clock skew adjusted' }] } } }, { key: 'k', value: { stringValue: 'v' } }] }, undefined, { name: '', version: '' });
    assert.deepEqual(t.spans[0]!.warnings, ['clock skew adjusted']);
    assert.deepEqual(t.spans[0]!.tags, [{ key: 'k', type: 'string', value: 'v' }]);
    assert.equal(one({}).spans[0]!.warnings, null);
  });
});

describe('resources → processes, spans → traces', () => {
  it('service.name names the process, other resource attributes are its tags; equal processes share a key', () => {
    const res = (name: string, extra: { key: string; value: { stringValue: string } }[] = []) => ({ attributes: [{ key: 'service.name', value: { stringValue: name } }, ...extra] });
    const [trace] = tracesFromOtlp([
      { resource: res('a', [{ key: 'host.name', value: { stringValue: 'box' } }]), scopeSpans: [{ spans: [{ traceId: T, spanId: '01', name: 'x' }] }] },
      { resource: res('b'), scopeSpans: [{ spans: [{ traceId: T, spanId: '0000000000000002', name: 'y' }] }] },
      { resource: res('a', [{ key: 'host.name', value: { stringValue: 'box' } }]), scopeSpans: [{ spans: [{ traceId: T, spanId: '0000000000000003', name: 'z' }] }] },
      { resource: {}, scopeSpans: [{ spans: [{ traceId: T, spanId: '0000000000000004', name: 'w' }] }] },
    ]);
    assert.ok(trace);
    assert.deepEqual(trace.processes, {
      p1: { serviceName: 'a', tags: [{ key: 'host.name', type: 'string', value: 'box' }] },
      p2: { serviceName: 'b', tags: [] },
      p3: { serviceName: 'OTLPResourceNoServiceName', tags: [] },
    });
    assert.deepEqual(
      trace.spans.map((s) => s.processID),
      ['p1', 'p2', 'p1', 'p3'],
    );
  });

  it('splits a search answer into one trace per trace id, in order of first appearance', () => {
    const U = '0000000000000000abcdef0123456789';
    const traces = tracesFromOtlp([
      { resource: {}, scopeSpans: [{ spans: [{ traceId: U, spanId: '00000000000000a1' }, { traceId: T, spanId: S }] }] },
      { resource: {}, scopeSpans: [{ spans: [{ traceId: U, spanId: '00000000000000a2' }] }] },
    ]);
    assert.deepEqual(
      traces.map((t) => [t.traceID, t.spans.map((s) => s.spanID)]),
      [
        ['abcdef0123456789', ['00000000000000a1', '00000000000000a2']],
        [T, [S]],
      ],
      'a trace id with a zero high half is written in 16 digits, as Jaeger does',
    );
  });

  it('reads instrumentationLibrarySpans (OTLP before 0.15, Jaeger before 1.50)', () => {
    const [trace] = tracesFromOtlp([{ resource: {}, instrumentationLibrarySpans: [{ instrumentationLibrary: { name: 'old' }, spans: [{ traceId: T, spanId: S, name: 'n' }] }] }]);
    assert.deepEqual(trace?.spans[0]?.tags, [{ key: 'otel.scope.name', type: 'string', value: 'old' }]);
  });
});

describe('ids and bodies', () => {
  it('reads ids in hex or base64 (the grpc-gateway of Jaeger 1.50–1.52)', () => {
    assert.equal(otlpIdToHex('5B8EFFF798038103D269B633813FC60C', 16), T);
    assert.equal(otlpIdToHex(Buffer.from(T, 'hex').toString('base64'), 16), T);
    assert.equal(otlpIdToHex(Buffer.from(T, 'hex').toString('base64url'), 16), T);
    assert.equal(otlpIdToHex(Buffer.from(S, 'hex').toString('base64'), 8), S);
    assert.equal(otlpIdToHex('not an id', 8), '0000000000000000');
    assert.equal(otlpIdToHex(undefined, 16), '0'.repeat(32));
  });

  it('reads one result, several streamed chunks, and an error chunk', () => {
    const chunk = (id: string) => JSON.stringify({ result: { resourceSpans: [{ resource: {}, scopeSpans: [{ spans: [{ traceId: T, spanId: id }] }] }] } });
    assert.equal(parseV3Traces(chunk('01')).resourceSpans.length, 1);
    const streamed = parseV3Traces(`${chunk('01')}\n${chunk('02')}\n`);
    assert.equal(streamed.resourceSpans.length, 2);
    assert.equal(tracesFromOtlp(streamed.resourceSpans)[0]?.spans.length, 2);
    assert.deepEqual(parseV3Traces(`${chunk('01')}\n{"error":{"httpCode":500,"message":"storage"}}`).error, { httpCode: 500, message: 'storage' });
    assert.deepEqual(parseV3Traces('{"result":{}}').resourceSpans, [], 'an empty result');
    assert.throws(() => parseV3Traces('<html>'), SyntaxError);
    assert.throws(() => parseV3Traces('{"services":[]}'), SyntaxError);
    assert.throws(() => parseV3Traces(''), SyntaxError);
    assert.deepEqual(splitJsonValues('{"a":"}{\\""}[1]'), [{ a: '}{"' }, [1]], 'braces inside strings do not split');
  });

  it('reads the error bodies of the v3 gateway and of gRPC statuses', () => {
    assert.deepEqual(parseV3Error('{"error":{"httpCode":404,"message":"No traces found"}}\n'), { httpCode: 404, message: 'No traces found' });
    assert.deepEqual(parseV3Error('{"code":5,"message":"trace not found"}'), { code: 5, message: 'trace not found' });
    assert.equal(parseV3Error('404 page not found'), undefined);
    assert.equal(parseV3Error('{"data":null}'), undefined);
  });
});
