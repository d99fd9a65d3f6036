// The query client against a local HTTP server that answers like Jaeger's query API (and unlike it).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { JaegerQuery, JaegerQueryError, waitForTrace } from '../../../src/harness/index';
import { TRACE_ID, pipelineTrace } from './fixture';

let server: Server;
let base: string;
const requests: string[] = [];
let spansServed = 2;

before(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const url = new URL(req.url ?? '/', 'http://x');
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === `/api/traces/${TRACE_ID}`) {
      const trace = pipelineTrace();
      trace.spans = trace.spans.slice(0, spansServed);
      return json(200, { data: [trace], errors: null });
    }
    if (url.pathname.startsWith('/api/traces/')) return json(404, { data: null, errors: [{ code: 404, msg: 'trace not found' }] });
    if (url.pathname === '/api/traces') return json(200, { data: [pipelineTrace()], errors: null });
    if (url.pathname === '/api/services') return json(200, { data: ['checkout', 'payments'], errors: null });
    if (url.pathname === '/api/services/payments/operations') return json(200, { data: ['process orders'], errors: null });
    if (url.pathname === '/bad-json/api/services') return void res.end('<html>');
    if (url.pathname === '/boom/api/services') return json(500, { oops: true });
    return json(200, { data: null, errors: [{ code: 400, msg: 'bad request' }] });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

describe('JaegerQuery', () => {
  it('gets a trace, and undefined for an unknown one', async () => {
    const q = new JaegerQuery(`${base}/`);
    assert.equal((await q.getTrace(TRACE_ID))?.traceID, TRACE_ID);
    assert.equal(await q.getTrace('ffffffffffffffffffffffffffffffff'), undefined);
  });

  it('finds traces with service, operation, tags and window encoded as Jaeger expects', async () => {
    const q = new JaegerQuery(base);
    const start = new Date(1_700_000_000_000);
    const found = await q.findTraces({ service: 'payments', operation: 'process orders', tags: { 'messaging.destination.name': 'orders' }, start, limit: 5 });
    assert.equal(found.length, 1);
    const url = new URL(requests[requests.length - 1] as string, 'http://x');
    assert.equal(url.searchParams.get('service'), 'payments');
    assert.equal(url.searchParams.get('operation'), 'process orders');
    assert.deepEqual(JSON.parse(url.searchParams.get('tags') as string), { 'messaging.destination.name': 'orders' });
    assert.equal(url.searchParams.get('start'), '1700000000000000');
    assert.equal(url.searchParams.get('limit'), '5');
  });

  it('lists services and operations', async () => {
    const q = new JaegerQuery(base);
    assert.deepEqual(await q.getServices(), ['checkout', 'payments']);
    assert.deepEqual(await q.getOperations('payments'), ['process orders']);
  });

  it('gives clear errors naming the URL: unreachable, bad status, bad JSON, API errors', async () => {
    await assert.rejects(new JaegerQuery('http://127.0.0.1:9', { timeoutMs: 2000 }).getServices(), (err: JaegerQueryError) => {
      return err instanceof JaegerQueryError && /unreachable at http:\/\/127\.0\.0\.1:9\/api\/(v3\/)?services/.test(err.message);
    });
    await assert.rejects(new JaegerQuery(`${base}/boom`).getServices(), (err: JaegerQueryError) => err.status === 500 && err.message.includes('/boom/api/services'));
    await assert.rejects(new JaegerQuery(`${base}/bad-json`).getServices(), /invalid JSON/);
    await assert.rejects(new JaegerQuery(`${base}/other`).getServices(), /reported an error .*bad request/);
  });
});

describe('waitForTrace', () => {
  it('polls until the trace has enough spans', async () => {
    spansServed = 2;
    setTimeout(() => (spansServed = 5), 300);
    const trace = await waitForTrace(new JaegerQuery(base), TRACE_ID, { minSpans: 5, timeoutMs: 5000, intervalMs: 50 });
    assert.equal(trace.spans.length, 5);
    assert.equal(trace.spans[0]?.name, 'send orders', 'sorted by start time');
  });

  it('fails with what it saw when the trace stays incomplete', async () => {
    spansServed = 2;
    await assert.rejects(
      waitForTrace(new JaegerQuery(base), TRACE_ID, { minSpans: 5, timeoutMs: 300, intervalMs: 50 }),
      (err: Error) => /did not reach 5 span\(s\)/.test(err.message) && /saw 2 span\(s\)/.test(err.message) && err.message.includes(`/trace/${TRACE_ID}`),
    );
    await assert.rejects(waitForTrace(new JaegerQuery(base), 'ffffffffffffffffffffffffffffffff', { timeoutMs: 200, intervalMs: 50 }), /no such trace/);
  });
});
