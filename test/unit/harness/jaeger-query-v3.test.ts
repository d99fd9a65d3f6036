// The query client's choice of API (/api/v3 first, the legacy endpoints where /api/v3 is missing) and
// its v3 requests, against stand-ins of a Jaeger with both APIs, one without /api/v3 (before 1.25) and
// one without the legacy search (after 2.20).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { JaegerQuery, JaegerQueryError, renderTrace, toTraceView, waitForTrace } from '../../../src/harness/index';
import { main } from '../../../src/harness/cli';
import { TRACE_ID, pipelineTrace } from './fixture';
import { startFakeJaeger, type FakeJaeger } from './fake-jaeger';

let both: FakeJaeger;
let legacyOnly: FakeJaeger;
let v3Only: FakeJaeger;

before(async () => {
  both = await startFakeJaeger({ traces: () => [pipelineTrace()] });
  legacyOnly = await startFakeJaeger({ traces: () => [pipelineTrace()], v3: false });
  v3Only = await startFakeJaeger({ traces: () => [pipelineTrace()], legacySearch: false });
});
after(async () => {
  await Promise.all([both.close(), legacyOnly.close(), v3Only.close()]);
});

const probes = (f: FakeJaeger) => f.requests.filter((r) => r === '/api/v3/services').length;

describe('JaegerQuery: which API', () => {
  it('auto: calls /api/v3 where it answers, asking once per client', async () => {
    const q = new JaegerQuery(both.url);
    const before = both.requests.length;
    assert.equal(await q.resolveApi(), 'v3');
    await q.getTrace(TRACE_ID);
    await q.getServices();
    await q.findTraces({ service: 'payments' });
    const mine = both.requests.slice(before);
    assert.equal(mine.filter((r) => r === '/api/v3/services').length, 2, 'one probe + one getServices');
    assert.ok(mine.every((r) => r.startsWith('/api/v3/')), mine.join('\n'));
  });

  it('auto: falls back to the legacy endpoints where /api/v3 is missing (404)', async () => {
    const q = new JaegerQuery(legacyOnly.url);
    const before = legacyOnly.requests.length;
    assert.equal((await q.getTrace(TRACE_ID))?.traceID, TRACE_ID);
    assert.deepEqual((await q.getServices()).sort(), ['checkout', 'notifications', 'payments']);
    assert.equal((await q.findTraces({ service: 'payments' })).length, 1);
    const mine = legacyOnly.requests.slice(before);
    assert.equal(probes(legacyOnly), 1, 'asked /api/v3 once');
    assert.deepEqual(
      mine.filter((r) => r.startsWith('/api/v3/')),
      ['/api/v3/services'],
    );
    assert.ok(mine.includes(`/api/traces/${TRACE_ID}`));
  });

  it('forced: v3 never asks the legacy endpoints, legacy never asks /api/v3', async () => {
    const v3 = new JaegerQuery(both.url, { api: 'v3' });
    const legacy = new JaegerQuery(both.url, { api: 'legacy' });
    const before = both.requests.length;
    await v3.getTrace(TRACE_ID);
    assert.deepEqual(both.requests.slice(before), [`/api/v3/traces/${TRACE_ID}`]);
    const mid = both.requests.length;
    await legacy.getTrace(TRACE_ID);
    assert.deepEqual(both.requests.slice(mid), [`/api/traces/${TRACE_ID}`]);
    await assert.rejects(new JaegerQuery(legacyOnly.url, { api: 'v3' }).getServices(), /answered 404, and not as Jaeger's query API does/);
    assert.throws(() => new JaegerQuery(both.url, { api: 'v4' as 'v3' }), TypeError);
  });

  it('a failed probe is not remembered: the next call asks again', async () => {
    let fail = true;
    const server: Server = createServer((req, res) => {
      if (fail) return void res.writeHead(503).end('starting');
      res.writeHead(req.url === '/api/v3/services' ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify({ services: ['a'] }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const q = new JaegerQuery(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
      await assert.rejects(q.getServices(), (err: JaegerQueryError) => err.status === 503);
      fail = false;
      assert.deepEqual(await q.getServices(), ['a']);
      assert.equal(await q.resolveApi(), 'v3');
    } finally {
      server.close();
    }
  });

  it('an older Jaeger whose UI answers /api/v3 with its HTML page counts as missing /api/v3', async () => {
    const server: Server = createServer((req, res) => {
      if (req.url === '/api/services') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: ['old'] }));
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><html></html>');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const q = new JaegerQuery(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
      assert.deepEqual(await q.getServices(), ['old']);
      assert.equal(await q.resolveApi(), 'legacy');
    } finally {
      server.close();
    }
  });
});

describe('JaegerQuery on /api/v3', () => {
  it('gets a trace in the legacy model, and undefined for an unknown one', async () => {
    const q = new JaegerQuery(v3Only.url);
    const trace = await q.getTrace(TRACE_ID);
    assert.ok(trace);
    assert.equal(trace.traceID, TRACE_ID);
    assert.equal(trace.spans.length, 5);
    assert.equal(await q.getTrace('ffffffffffffffffffffffffffffffff'), undefined);
  });

  it('renders the same waterfall as the legacy endpoint for the same trace', async () => {
    const fromV3 = await new JaegerQuery(both.url, { api: 'v3' }).getTrace(TRACE_ID);
    const fromLegacy = await new JaegerQuery(both.url, { api: 'legacy' }).getTrace(TRACE_ID);
    assert.ok(fromV3 && fromLegacy);
    assert.equal(renderTrace(toTraceView(fromV3), { ascii: true }), renderTrace(toTraceView(fromLegacy), { ascii: true }));
    const view = (t: typeof fromV3) => toTraceView(t).spans.map(({ traceId, spanId, parentSpanId, links, name, kind, service, startUs, durationUs, error }) => ({ traceId, spanId, parentSpanId, links, name, kind, service, startUs, durationUs, error }));
    assert.deepEqual(view(fromV3), view(fromLegacy));
  });

  it('searches with the v3 parameters, under both their current and older names', async () => {
    const q = new JaegerQuery(v3Only.url);
    const start = new Date('2026-12-01T10:00:00.000Z');
    const end = new Date('2026-12-01T11:00:00.000Z');
    const found = await q.findTraces({ service: 'payments', operation: 'process orders', start, end, limit: 3 });
    assert.equal(found.length, 1);
    const url = new URL(v3Only.requests[v3Only.requests.length - 1] as string, 'http://x');
    assert.equal(url.pathname, '/api/v3/traces');
    const p = url.searchParams;
    for (const [camel, snake, value] of [
      ['query.serviceName', 'query.service_name', 'payments'],
      ['query.operationName', 'query.operation_name', 'process orders'],
      ['query.startTimeMin', 'query.start_time_min', '2026-12-01T10:00:00.000Z'],
      ['query.startTimeMax', 'query.start_time_max', '2026-12-01T11:00:00.000Z'],
      ['query.searchDepth', 'query.num_traces', '3'],
    ] as const) {
      assert.equal(p.get(camel), value, camel);
      assert.equal(p.get(snake), value, snake);
    }
    assert.equal(p.get('query.attributes'), null, 'no tags, no attribute filter');
  });

  it('turns a lookback into the window, 48 h by default as Jaeger did', async () => {
    const q = new JaegerQuery(v3Only.url);
    const end = new Date('2026-12-01T11:00:00.000Z');
    await q.findTraces({ service: 'payments', end, lookback: '90m' });
    let p = new URL(v3Only.requests[v3Only.requests.length - 1] as string, 'http://x').searchParams;
    assert.equal(p.get('query.startTimeMin'), '2026-12-01T09:30:00.000Z');
    await q.findTraces({ service: 'payments', end });
    p = new URL(v3Only.requests[v3Only.requests.length - 1] as string, 'http://x').searchParams;
    assert.equal(p.get('query.startTimeMin'), '2026-11-29T11:00:00.000Z');
    await assert.rejects(q.findTraces({ service: 'payments', lookback: 'yesterday' }), TypeError);
  });

  it('filters tags itself too (Jaeger before 2.19 ignores query.attributes) and keeps to the limit', async () => {
    const q = new JaegerQuery(v3Only.url);
    const hit = await q.findTraces({ service: 'payments', tags: { error: 'true' } });
    assert.equal(hit.length, 1, 'charge card has error=true');
    const p = new URL(v3Only.requests[v3Only.requests.length - 1] as string, 'http://x').searchParams;
    assert.deepEqual(JSON.parse(p.get('query.attributes') as string), { error: 'true' });
    assert.equal(p.get('query.searchDepth'), '200', 'searches deeper when it filters');
    assert.deepEqual(await q.findTraces({ service: 'payments', tags: { error: 'false' } }), []);
    assert.deepEqual(await q.findTraces({ service: 'checkout', tags: { error: 'true' } }), [], 'the tag must be on a span of the service');
  });

  it("reads Jaeger's 404 'No traces found' as an empty search", async () => {
    assert.deepEqual(await new JaegerQuery(v3Only.url).findTraces({ service: 'nobody' }), []);
  });

  it('lists services and each operation name once', async () => {
    const q = new JaegerQuery(v3Only.url);
    assert.deepEqual((await q.getServices()).sort(), ['checkout', 'notifications', 'payments']);
    assert.deepEqual(await q.getOperations('payments'), ['process orders', 'charge card', 'send payments']);
  });

  it('waitForTrace and the CLI work on a Jaeger without the legacy search', async () => {
    const trace = await waitForTrace(new JaegerQuery(v3Only.url), TRACE_ID, { minSpans: 5, timeoutMs: 2000, intervalMs: 20 });
    assert.equal(trace.spans.length, 5);
    const out: string[] = [];
    const err: string[] = [];
    assert.equal(await main(['trace', '--service', 'payments', '--jaeger', v3Only.url, '--ascii'], (l) => out.push(l), (l) => err.push(l)), 0, err.join('\n'));
    assert.match(out.join('\n'), /5 spans, 3 services/);
    out.length = 0;
    assert.equal(await main(['pipeline', '--service', 'checkout', '--jaeger', v3Only.url, '--ascii'], (l) => out.push(l), (l) => err.push(l)), 0, err.join('\n'));
    assert.match(out.join('\n'), /orders\s+checkout → payments/);
  });
});
