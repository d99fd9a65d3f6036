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
    // Some other web server (a proxy, the collector port): 404 without Jaeger's JSON envelope.
    if (url.pathname.startsWith('/elsewhere/')) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found');
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

  it('--help prints the usage on stdout and exits 0', async () => {
    for (const argv of [['--help'], ['-h'], ['trace', '--help']]) {
      const r = await run(...argv);
      assert.equal(r.code, 0, argv.join(' '));
      assert.match(r.out, /^usage: kafkajs-tracing trace/);
      assert.equal(r.err, '');
    }
  });

  it('refuses a --limit or --wait that is not a whole number, before asking Jaeger', async () => {
    for (const [option, value] of [['--limit', 'abc'], ['--limit', '0'], ['--limit', '2.5'], ['--wait', 'soon']]) {
      const r = await run('trace', '--service', 'payments', '--jaeger', 'http://127.0.0.1:9', option as string, value as string);
      assert.equal(r.code, 2, `${option} ${value}`);
      assert.match(r.err, new RegExp(`${option} needs a whole number .*"${value}"`));
      assert.doesNotMatch(r.err, /unreachable/, 'refused locally');
    }
  });

  it("says a 404 is not Jaeger's query API, instead of 'trace not found'", async () => {
    const r = await run('trace', TRACE_ID, '--jaeger', `${base}/elsewhere`);
    assert.equal(r.code, 1);
    assert.match(r.err, /answered 404, and not as Jaeger's query API does/);
    assert.doesNotMatch(r.err, /not found in Jaeger/);
    const unknown = await run('trace', 'ffffffffffffffffffffffffffffffff', '--jaeger', base);
    assert.match(unknown.err, /trace ffffffffffffffffffffffffffffffff not found in Jaeger/, "Jaeger's own 404 still means not found");
  });

  it('says what a valid trace id looks like', async () => {
    const r = await run('trace', 'not-hex');
    assert.equal(r.code, 2);
    assert.match(r.err, /32 hex characters/);
  });
});
