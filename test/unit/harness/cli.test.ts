import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { main } from '../../../src/harness/cli';
import { TRACE_ID, pipelineTrace } from './fixture';

let server: Server;
let base: string;
before(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    res.writeHead(url.pathname === `/api/traces/${TRACE_ID}` || url.pathname === '/api/traces' ? 200 : 404, { 'content-type': 'application/json' });
    if (url.pathname === `/api/traces/${TRACE_ID}`) return void res.end(JSON.stringify({ data: [pipelineTrace()] }));
    if (url.pathname === '/api/traces') {
      const data = url.searchParams.get('service') === 'payments' ? [pipelineTrace()] : [];
      return void res.end(JSON.stringify({ data }));
    }
    res.end(JSON.stringify({ data: null, errors: [{ code: 404, msg: 'trace not found' }] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, (l) => out.push(l), (l) => err.push(l));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('kafkajs-tracing CLI', () => {
  it('prints a trace waterfall and its Jaeger link', async () => {
    const r = await run('trace', TRACE_ID, '--jaeger', base, '--ascii');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /5 spans, 3 services/);
    assert.match(r.out, /notifications\s+process payments/);
    assert.ok(r.out.includes(`${base}/trace/${TRACE_ID}`));
  });

  it('prints the latest traces of a service', async () => {
    const r = await run('trace', '--service', 'payments', '--jaeger', base);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /send orders/);
    const none = await run('trace', '--service', 'nobody', '--jaeger', base);
    assert.equal(none.code, 1);
    assert.match(none.err, /no traces of service nobody/);
  });

  it('exits 1 for an unknown trace or unreachable Jaeger, 2 for bad usage', async () => {
    assert.equal((await run('trace', 'ffffffffffffffffffffffffffffffff', '--jaeger', base)).code, 1);
    const down = await run('trace', TRACE_ID, '--jaeger', 'http://127.0.0.1:9');
    assert.equal(down.code, 1);
    assert.match(down.err, /unreachable/);
    assert.equal((await run()).code, 2);
    assert.equal((await run('trace', 'not-hex')).code, 2);
    assert.equal((await run('trace', TRACE_ID, '--service', 'x')).code, 2);
  });
});
