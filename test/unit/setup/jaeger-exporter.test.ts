// The Jaeger HTTP exporter against a local server standing in for the collector.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createExporter } from '../../../src/setup/exporter';
import { JaegerHttpExporter } from '../../../src/setup/jaeger-exporter';

const requireFromHere = createRequire(__filename);
const { HTTPSender } = requireFromHere('@opentelemetry/exporter-jaeger/build/src/types') as {
  HTTPSender: new (o: object) => { _jaegerThrift: { Batch: { rw: { fromBuffer(b: Buffer): { err: Error | null; value: { process: { serviceName: string }; spans: { operationName: string }[] } } } } } };
};
const codec = new HTTPSender({ endpoint: 'http://127.0.0.1:1/api/traces' })._jaegerThrift;

function spans(n: number, service: string): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const tp = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': service }), spanProcessors: [new SimpleSpanProcessor(memory)] });
  for (let i = 0; i < n; i++) tp.getTracer('t').startSpan(`op${i}`).end();
  return memory.getFinishedSpans();
}

function exportOnce(exporter: JaegerHttpExporter, batch: ReadableSpan[]): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(batch, resolve));
}

describe('JaegerHttpExporter', () => {
  const servers: Server[] = [];
  after(() => servers.forEach((s) => s.close()));
  async function collector(handler: (req: IncomingMessage, body: Buffer) => number | undefined): Promise<string> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const status = handler(req, Buffer.concat(chunks));
        if (status !== undefined) res.writeHead(status).end();
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/traces`;
  }

  it('posts one Thrift batch per resource per export, which the collector codec decodes', async () => {
    const seen: { path?: string; type?: string; service: string; ops: string[] }[] = [];
    const url = await collector((req, body) => {
      const { err, value } = codec.Batch.rw.fromBuffer(body);
      assert.equal(err, null);
      seen.push({ path: req.url, type: req.headers['content-type'], service: value.process.serviceName, ops: value.spans.map((s) => s.operationName) });
      return 202;
    });
    const exporter = new JaegerHttpExporter({ endpoint: url });
    const result = await exportOnce(exporter, [...spans(3, 'a'), ...spans(2, 'b')]);
    assert.equal(result.code, ExportResultCode.SUCCESS);
    seen.sort((x, y) => x.service.localeCompare(y.service));
    assert.deepEqual(seen, [
      { path: '/api/traces', type: 'application/x-thrift', service: 'a', ops: ['op0', 'op1', 'op2'] },
      { path: '/api/traces', type: 'application/x-thrift', service: 'b', ops: ['op0', 'op1'] },
    ]);
    await exporter.shutdown();
  });

  it('splits a batch whose body would pass the size cap, losing no span', async () => {
    const bodies: { bytes: number; ops: string[] }[] = [];
    const url = await collector((_req, body) => {
      const { value } = codec.Batch.rw.fromBuffer(body);
      bodies.push({ bytes: body.length, ops: value.spans.map((s) => s.operationName) });
      return 202;
    });
    const memory = new InMemorySpanExporter();
    const tp = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'big' }), spanProcessors: [new SimpleSpanProcessor(memory)] });
    for (let i = 0; i < 10; i++) tp.getTracer('t').startSpan(`op${i}`, { attributes: { blob: 'x'.repeat(i === 7 ? 50_000 : 1000) } }).end();
    const exporter = new JaegerHttpExporter({ endpoint: url, maxBodyBytes: 20_000 });
    const result = await exportOnce(exporter, memory.getFinishedSpans());
    assert.equal(result.code, ExportResultCode.SUCCESS);
    assert.ok(bodies.length > 1, 'split into several requests');
    assert.deepEqual(bodies.flatMap((b) => b.ops).sort(), Array.from({ length: 10 }, (_, i) => `op${i}`).sort(), 'every span sent exactly once');
    assert.ok(bodies.every((b) => b.bytes <= 20_000 || b.ops.length === 1), 'only a lone oversized span may pass the cap');
    await exporter.shutdown();
  });

  it('reports a refusing, unreachable or silent collector as a failed export naming the URL', async () => {
    const refusing = await collector(() => 500);
    let result = await exportOnce(new JaegerHttpExporter({ endpoint: refusing }), spans(1, 'a'));
    assert.equal(result.code, ExportResultCode.FAILED);
    assert.match(String(result.error?.message), /HTTP 500/);

    result = await exportOnce(new JaegerHttpExporter({ endpoint: 'http://127.0.0.1:1/api/traces' }), spans(1, 'a'));
    assert.equal(result.code, ExportResultCode.FAILED);
    assert.match(String(result.error?.message), /127\.0\.0\.1:1/);

    const silent = await collector(() => undefined); // never answers
    const t0 = Date.now();
    result = await exportOnce(new JaegerHttpExporter({ endpoint: silent, timeoutMillis: 200 }), spans(1, 'a'));
    assert.equal(result.code, ExportResultCode.FAILED);
    assert.match(String(result.error?.message), /did not answer within 200 ms/);
    assert.ok(Date.now() - t0 < 5000);
  });

  it('takes endpoint, credentials and timeout from the OTEL_EXPORTER_JAEGER_* variables', async () => {
    const auth: (string | undefined)[] = [];
    const url = await collector((req) => {
      auth.push(req.headers.authorization);
      return req.url === '/silent' ? undefined : 200;
    });
    const env = { OTEL_EXPORTER_JAEGER_ENDPOINT: url, OTEL_EXPORTER_JAEGER_USER: 'ops', OTEL_EXPORTER_JAEGER_PASSWORD: 's3cret', OTEL_EXPORTER_JAEGER_TIMEOUT: '300' };
    Object.assign(process.env, env);
    try {
      const ok = createExporter({ exporter: 'jaeger' }).exporter as JaegerHttpExporter;
      assert.equal((await exportOnce(ok, spans(1, 'a'))).code, ExportResultCode.SUCCESS);
      assert.equal(auth[0], `Basic ${Buffer.from('ops:s3cret').toString('base64')}`);
      process.env.OTEL_EXPORTER_JAEGER_ENDPOINT = url.replace('/api/traces', '/silent');
      const t0 = Date.now();
      const slow = await exportOnce(createExporter({ exporter: 'jaeger' }).exporter as JaegerHttpExporter, spans(1, 'a'));
      assert.equal(slow.code, ExportResultCode.FAILED);
      assert.match(String(slow.error?.message), /within 300 ms/);
      assert.ok(Date.now() - t0 < 5000);
    } finally {
      for (const key of Object.keys(env)) delete process.env[key];
    }
  });

  it('waits for exports in flight on forceFlush and refuses new ones after shutdown', async () => {
    const url = await collector(() => 200);
    const exporter = new JaegerHttpExporter({ endpoint: url });
    let done = false;
    exporter.export(spans(1, 'a'), () => (done = true));
    await exporter.forceFlush();
    assert.equal(done, true);
    await exporter.shutdown();
    const after = await exportOnce(exporter, spans(1, 'a'));
    assert.equal(after.code, ExportResultCode.FAILED);
  });
});
