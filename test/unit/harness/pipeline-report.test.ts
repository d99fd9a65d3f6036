// `kafkajs-tracing pipeline`: hops from Jaeger traces, their percentiles, the table and bar chart,
// and the command against a stand-in query API serving the order pipeline's trace.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { main } from '../../../src/harness/cli';
import { pipelineHops, renderPipeline } from '../../../src/harness/pipeline-report';
import { toTraceView } from '../../../src/harness/trace-view';
import type { JaegerTrace } from '../../../src/harness/index';
import { pipelineTrace } from './fixture';

/** The fixture with the attributes the middleware records on `process` spans. */
function tagged(queueMs: number, sinceOriginMs: number): JaegerTrace {
  const t = pipelineTrace();
  for (const s of t.spans) {
    if (s.operationName === 'process payments') {
      s.tags?.push({ key: 'kafkajs_tracing.queue_time_ms', type: 'int64', value: queueMs }, { key: 'kafkajs_tracing.pipeline.latency_ms', type: 'int64', value: sinceOriginMs });
    }
  }
  return t;
}

let server: Server;
let base: string;
before(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    res.writeHead(200, { 'content-type': 'application/json' });
    const data = url.searchParams.get('service') === 'checkout' ? [tagged(100, 300), tagged(200, 400), pipelineTrace()] : [];
    res.end(JSON.stringify({ data }));
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

describe('pipeline report', () => {
  it('finds each producer → consumer hop; uses recorded attributes, else span start times', () => {
    const hops = pipelineHops([toTraceView(tagged(100, 300)), toTraceView(tagged(200, 400)), toTraceView(pipelineTrace())]);
    assert.deepEqual(
      hops.map((h) => [h.topic, h.producer, h.consumer, h.count]),
      [
        ['orders', 'checkout', 'payments', 3],
        ['payments', 'payments', 'notifications', 3],
      ],
    );
    const [orders, payments] = hops;
    // No attributes on `process orders`: consumer start (4 ms) − producer start (0) both ways.
    assert.deepEqual(orders?.queueMs, { p50: 4, p95: 4, max: 4 });
    // `process payments`: 100 and 200 recorded, the untagged trace falls back to 12 − 8 = 4 ms and 12 ms since origin.
    assert.deepEqual(payments?.queueMs, { p50: 100, p95: 200, max: 200 });
    assert.deepEqual(payments?.sinceOriginMs, { p50: 300, p95: 400, max: 400 });
  });

  it('draws a bar per hop scaled to the slowest median, the queue share in the lighter shade', () => {
    const text = renderPipeline(pipelineHops([toTraceView(tagged(100, 300))]), { barWidth: 30, ascii: true });
    const bars = text.split('\n').slice(-2);
    assert.match(bars[1] as string, /payments +payments → notifications +#{20}={10} +300 ms$/);
    assert.match(bars[0] as string, /orders +checkout → payments +# +4\.0 ms$/, 'never less than one mark');
  });

  it('the command prints the table and chart for the entry service, and says why when it cannot', async () => {
    const ok = await run('pipeline', '--service', 'checkout', '--jaeger', base);
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /pipeline from checkout: 3 traces, 2 hops/);
    assert.match(ok.out, /payments +payments → notifications +3 +100 ms +200 ms +200 ms +300 ms +400 ms +400 ms/);
    const none = await run('pipeline', '--service', 'nobody', '--jaeger', base);
    assert.equal(none.code, 1);
    assert.match(none.err, /no Kafka hops .* service nobody/);
    assert.equal((await run('pipeline')).code, 2);
    assert.equal((await run('pipeline', '--service')).code, 2);
    const down = await run('pipeline', '--service', 'checkout', '--jaeger', 'http://127.0.0.1:9');
    assert.equal(down.code, 1);
    assert.match(down.err, /unreachable/);
  });
});
