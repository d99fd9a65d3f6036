// The harness on the real Jaeger's /api/v3 and on its legacy endpoints: the same trace read both ways
// is the same, field by field (the v3 OTLP JSON converted as Jaeger converts it for the legacy API);
// search, services and operations agree; the CLI prints the same. Traces are sent in as OTLP JSON (every
// attribute type, events, links, status, trace state, several resources and scopes) and through the
// package's own Thrift exporter.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { startTracing } from '../../src/setup/index';
import { JaegerQuery, renderTrace, toTraceView, waitForTrace, type JaegerTrace } from '../../src/harness/index';
import { main } from '../../src/harness/cli';
import { JAEGER_ENDPOINT, JAEGER_QUERY_URL } from '../support/env';

const OTLP_URL = process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? `http://${new URL(JAEGER_ENDPOINT).hostname}:4318/v1/traces`;
const v3 = new JaegerQuery(JAEGER_QUERY_URL, { api: 'v3' });
const legacy = new JaegerQuery(JAEGER_QUERY_URL, { api: 'legacy' });
const RUN = randomBytes(6).toString('hex');
const SERVICE_A = 'it-v3-probe-a';
const SERVICE_B = 'it-v3-probe-b';

const str = (v: string) => ({ stringValue: v });

/** A trace of two services, sent to Jaeger's OTLP/HTTP receiver as JSON; returns its ids. */
async function sendOtlpTrace(): Promise<{ traceId: string; otherTraceId: string }> {
  const traceId = randomBytes(16).toString('hex');
  // A second trace whose id has a zero high half: Jaeger writes those in 16 hex digits.
  const otherTraceId = `0000000000000000${randomBytes(8).toString('hex')}`;
  const now = BigInt(Date.now()) * 1_000_000n + 123_456n;
  const at = (offsetNs: number) => String(now + BigInt(offsetNs));
  const attributes = [
    { key: 'kjt_test.run', value: str(RUN) },
    { key: 'str', value: str('hello <world> & you') },
    { key: 'int', value: { intValue: '42' } },
    { key: 'neg', value: { intValue: '-7' } },
    { key: 'big', value: { intValue: '9007199254740993' } },
    { key: 'dbl', value: { doubleValue: 3.25 } },
    { key: 'bool', value: { boolValue: true } },
    { key: 'arr', value: { arrayValue: { values: [str('a'), { intValue: '1' }, { doubleValue: 0.5 }, { boolValue: false }] } } },
    { key: 'kv', value: { kvlistValue: { values: [{ key: 'z', value: str('y') }, { key: 'a', value: { intValue: '2' } }] } } },
    { key: 'bytes', value: { bytesValue: Buffer.from([1, 2, 255]).toString('base64') } },
    { key: 'messaging.destination.name', value: str('orders') },
  ];
  const body = {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: str(SERVICE_A) }, { key: 'host.name', value: str('box1') }, { key: 'process.pid', value: { intValue: '1234' } }, { key: 'rbool', value: { boolValue: false } }] },
        scopeSpans: [
          {
            scope: { name: 'probe-scope', version: '1.2.3' },
            spans: [
              {
                traceId, spanId: '1111111111111111', name: 'send orders', kind: 4, traceState: 'vendor=abc',
                startTimeUnixNano: at(0), endTimeUnixNano: at(3_500_999), attributes,
                events: [
                  { timeUnixNano: at(1_000_000), name: 'exception', attributes: [{ key: 'exception.message', value: str('boom') }, { key: 'exception.type', value: str('Error') }] },
                  { timeUnixNano: at(2_000_123), name: 'plain-event' },
                ],
                status: { code: 2, message: 'it failed' },
              },
              { traceId, spanId: '2222222222222222', parentSpanId: '1111111111111111', name: 'internal work', kind: 1, startTimeUnixNano: at(500_000), endTimeUnixNano: at(900_999), status: { code: 1 } },
            ],
          },
          { scope: { name: 'second-scope' }, spans: [{ traceId, spanId: '4444444444444444', parentSpanId: '1111111111111111', name: 'client call', kind: 3, startTimeUnixNano: at(600_000), endTimeUnixNano: at(700_000) }] },
        ],
      },
      {
        resource: { attributes: [{ key: 'service.name', value: str(SERVICE_B) }] },
        scopeSpans: [
          {
            scope: {},
            spans: [
              {
                traceId, spanId: '3333333333333333', parentSpanId: '1111111111111111', name: 'process orders', kind: 5,
                startTimeUnixNano: at(4_000_000), endTimeUnixNano: at(6_000_000),
                links: [
                  { traceId, spanId: '1111111111111111', attributes: [{ key: 'link.attr', value: str('v') }] },
                  { traceId: otherTraceId, spanId: '00000000000000a1', traceState: 'k=v' },
                ],
                attributes: [{ key: 'messaging.destination.name', value: str('orders') }, { key: 'kjt_test.run', value: str(RUN) }],
              },
              { traceId: otherTraceId, spanId: '00000000000000a1', name: 'server op', kind: 2, startTimeUnixNano: at(0), endTimeUnixNano: at(1000) },
            ],
          },
        ],
      },
    ],
  };
  const res = await fetch(OTLP_URL, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal(res.status, 200, await res.text());
  return { traceId, otherTraceId };
}

/** A trace in a form where only meaning counts: spans by id, each with its process spelled out. */
function canonical(trace: JaegerTrace) {
  return {
    traceID: trace.traceID,
    warnings: trace.warnings ?? null,
    spans: [...trace.spans]
      .sort((a, b) => a.spanID.localeCompare(b.spanID))
      .map((s) => ({
        traceID: s.traceID,
        spanID: s.spanID,
        operationName: s.operationName,
        references: s.references ?? [],
        startTime: s.startTime,
        duration: s.duration,
        tags: s.tags ?? [],
        logs: s.logs ?? [],
        warnings: s.warnings ?? null,
        process: { serviceName: trace.processes[s.processID]?.serviceName, tags: trace.processes[s.processID]?.tags ?? [] },
      })),
  };
}

async function bothWays(traceId: string, minSpans: number): Promise<{ fromV3: JaegerTrace; fromLegacy: JaegerTrace }> {
  await waitForTrace(v3, traceId, { minSpans, timeoutMs: 20000 });
  await waitForTrace(legacy, traceId, { minSpans, timeoutMs: 20000 });
  const [fromV3, fromLegacy] = await Promise.all([v3.getTrace(traceId), legacy.getTrace(traceId)]);
  assert.ok(fromV3 && fromLegacy);
  return { fromV3, fromLegacy };
}

let otlpTrace: { traceId: string; otherTraceId: string };

describe('the harness on the real Jaeger: /api/v3 and the legacy endpoints agree', () => {
  before(async () => {
    otlpTrace = await sendOtlpTrace();
  });

  it('auto picks /api/v3 on this Jaeger', async () => {
    assert.equal(await new JaegerQuery(JAEGER_QUERY_URL).resolveApi(), 'v3');
  });

  it('an OTLP trace: every field the same both ways (types, int64, arrays, maps, bytes, events, links, status, trace state, scopes, resources)', async () => {
    const { fromV3, fromLegacy } = await bothWays(otlpTrace.traceId, 4);
    assert.deepEqual(canonical(fromV3), canonical(fromLegacy));
    assert.equal(fromV3.spans.length, 4);
    // The process keys may be numbered differently; each must name the same processes.
    assert.deepEqual(Object.values(fromV3.processes).map((p) => p.serviceName).sort(), Object.values(fromLegacy.processes).map((p) => p.serviceName).sort());
    const other = await bothWays(otlpTrace.otherTraceId, 1);
    assert.deepEqual(canonical(other.fromV3), canonical(other.fromLegacy));
    assert.equal(other.fromV3.traceID, otlpTrace.otherTraceId.slice(16), 'a zero high half: 16 digits, as Jaeger writes it');
  });

  it("a span from the package's Thrift exporter: the same both ways", async () => {
    const tracing = startTracing({ serviceName: 'it-v3-thrift', exporter: 'jaeger', register: false, jaeger: { endpoint: JAEGER_ENDPOINT } });
    const span = tracing.tracer.startSpan('send orders', { kind: SpanKind.PRODUCER, attributes: { 'messaging.system': 'kafka', 'messaging.kafka.offset': 12, ratio: 0.25, ok: true, 'kjt_test.run': RUN } });
    span.addEvent('retry', { attempt: 2 });
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'nope' });
    const traceId = span.spanContext().traceId;
    span.end();
    await tracing.shutdown();
    const { fromV3, fromLegacy } = await bothWays(traceId, 1);
    assert.deepEqual(canonical(fromV3), canonical(fromLegacy));
  });

  it('the same views, waterfall and chain both ways', async () => {
    const { fromV3, fromLegacy } = await bothWays(otlpTrace.traceId, 4);
    const a = toTraceView(fromV3);
    const b = toTraceView(fromLegacy);
    assert.deepEqual({ ...a, raw: undefined }, { ...b, raw: undefined });
    assert.equal(renderTrace(a, { ascii: true }), renderTrace(b, { ascii: true }));
    const send = a.spans.find((s) => s.name === 'send orders');
    assert.equal(send?.error, true);
    assert.equal(send?.kind, 'producer');
    assert.equal(a.spans.find((s) => s.name === 'client call')?.parentSpanId, '1111111111111111');
    // Jaeger's translation: a link to the parent span turns the parent reference into FOLLOWS_FROM.
    const processOrders = a.spans.find((s) => s.name === 'process orders');
    assert.equal(processOrders?.parentSpanId, undefined);
    assert.deepEqual(processOrders?.links.map((l) => l.spanId), ['1111111111111111', '00000000000000a1']);
  });

  it('search by service, operation, tags and window; services; operations: the same both ways', async () => {
    await waitForTrace(v3, otlpTrace.traceId, { minSpans: 4, timeoutMs: 20000 });
    const start = new Date(Date.now() - 10 * 60_000);
    const ids = (ts: JaegerTrace[]) => ts.map((t) => t.traceID).sort();
    for (const q of [v3, legacy]) {
      const byTag = await q.findTraces({ service: SERVICE_A, tags: { 'kjt_test.run': RUN }, start, limit: 20 });
      assert.deepEqual(ids(byTag), [otlpTrace.traceId], `${q.api}: the run's trace by its tag`);
      const byOp = await q.findTraces({ service: SERVICE_A, operation: 'client call', tags: { 'kjt_test.run': RUN }, start });
      assert.deepEqual(ids(byOp), [otlpTrace.traceId], `${q.api}: the operation and the tag on different spans of the service`);
      const missing = await q.findTraces({ service: SERVICE_A, tags: { 'kjt_test.run': 'no-such-run' }, start });
      assert.deepEqual(missing, [], `${q.api}: no trace has that tag`);
      const recent = await q.findTraces({ service: SERVICE_B, lookback: '10m', limit: 50 });
      assert.ok(ids(recent).includes(otlpTrace.traceId), `${q.api}: lookback window`);
      assert.ok((await q.getServices()).includes(SERVICE_A), `${q.api}: services`);
      assert.deepEqual((await q.getOperations(SERVICE_A)).sort(), ['client call', 'internal work', 'send orders'], `${q.api}: operations`);
    }
    const [viaV3] = await v3.findTraces({ service: SERVICE_A, tags: { 'kjt_test.run': RUN }, start });
    const [viaLegacy] = await legacy.findTraces({ service: SERVICE_A, tags: { 'kjt_test.run': RUN }, start });
    assert.ok(viaV3 && viaLegacy);
    assert.deepEqual(canonical(viaV3), canonical(viaLegacy), 'a searched trace is the same as a fetched one');
  });

  it('the CLI prints the same trace both ways', async () => {
    const print = async (api: string) => {
      const saved = process.env.JAEGER_QUERY_API;
      process.env.JAEGER_QUERY_API = api;
      try {
        const out: string[] = [];
        const err: string[] = [];
        const code = await main(['trace', otlpTrace.traceId, '--jaeger', JAEGER_QUERY_URL, '--ascii'], (l) => out.push(l), (l) => err.push(l));
        assert.equal(code, 0, err.join('\n'));
        return out.join('\n');
      } finally {
        if (saved === undefined) delete process.env.JAEGER_QUERY_API;
        else process.env.JAEGER_QUERY_API = saved;
      }
    };
    const viaV3 = await print('v3');
    assert.match(viaV3, /it-v3-probe-a\s+send orders/);
    assert.equal(viaV3, await print('legacy'));
  });
});
