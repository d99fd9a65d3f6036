// Every way a collector's answer can go wrong completes the export exactly once, as a failure, and
// forceFlush returns: checked against a real local TCP server that misbehaves on purpose, for the
// Jaeger HTTP exporter and the OTLP one.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startTracing } from '../../../src/setup/index';
import { JaegerHttpExporter } from '../../../src/setup/jaeger-exporter';

const TIMEOUT_MS = 400;

/** How the stand-in collector treats a request once it has read its headers. */
type Misbehaviour = (socket: Socket) => void;
const head = (status: number, length: number) => `HTTP/1.1 ${status} X\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;
/** The misbehaviours; `status` is the status line of those that start an answer. */
const behaviours = (status: number): [string, Misbehaviour][] => [
  ['answers headers and part of the body, then drops the connection', (s) => s.end(head(status, 100) + '{"partial":', () => s.destroy())],
  ['answers headers and part of the body, then stalls', (s) => s.write(head(status, 100) + '{"partial":')],
  ['resets the connection on reading the request', (s) => s.resetAndDestroy()],
  ['closes the connection without an answer', (s) => s.end()],
  ['never answers', () => undefined],
  ['answers a body cut off by a reset', (s) => s.write(head(status, 100) + '{"partial":', () => s.resetAndDestroy())],
];

let server: Server;
let port: number;
let behave: Misbehaviour = () => undefined;
const sockets = new Set<Socket>();
before(async () => {
  server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let seen = '';
    socket.on('data', (chunk) => {
      const first = seen === '';
      seen += chunk.toString('latin1');
      if (first && seen.includes('\r\n\r\n')) behave(socket);
      else if (first) seen = ' '; // headers split across chunks: act on the next one
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
after(() => {
  for (const s of sockets) s.destroy();
  server.close();
});

function someSpans(): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const tp = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] });
  tp.getTracer('t').startSpan('op').end();
  return memory.getFinishedSpans();
}

/** Exports once and collects every answer given within a grace period after the first. */
async function answers(exporter: JaegerHttpExporter): Promise<ExportResult[]> {
  const got: ExportResult[] = [];
  await new Promise<void>((resolve) => {
    exporter.export(someSpans(), (r) => {
      got.push(r);
      resolve();
    });
  });
  await new Promise((r) => setTimeout(r, 100));
  return got;
}

describe('Jaeger HTTP export against a misbehaving collector', () => {
  // A 2xx status whose answer never completes is a failure too: the batch's fate is unknown.
  for (const [name, behaviour] of behaviours(202)) {
    it(`${name}: fails exactly once, and forceFlush returns`, { timeout: 5000 }, async () => {
      behave = behaviour;
      const exporter = new JaegerHttpExporter({ endpoint: `http://127.0.0.1:${port}/api/traces`, timeoutMillis: TIMEOUT_MS });
      const got = await answers(exporter);
      assert.equal(got.length, 1, 'answered once');
      assert.equal(got[0]?.code, ExportResultCode.FAILED);
      const message = got[0]?.error?.message ?? '';
      assert.equal(message.split('Jaeger collector').length - 1, 1, `the prefix appears once: ${message}`);
      await exporter.forceFlush();
      await exporter.shutdown();
    });
  }

  it('through startTracing: the batch is counted as failed, not dropped', { timeout: 5000 }, async () => {
    behave = behaviours(202)[0]?.[1] as Misbehaviour;
    const tracing = startTracing({ register: false, exporter: 'jaeger', jaeger: { endpoint: `http://127.0.0.1:${port}/api/traces` }, batch: { exportTimeoutMillis: TIMEOUT_MS } });
    tracing.tracer.startSpan('s').end();
    await tracing.forceFlush();
    const stats = tracing.exportStats();
    assert.equal(stats.failedSpans, 1, JSON.stringify(stats));
    assert.equal(stats.droppedSpans, 0);
    await tracing.shutdown();
  });
});

describe('OTLP export against a misbehaving collector', () => {
  // A 2xx status with its whole body is delivery, and 400 is final (lost, not held): its cases answer
  // 503, which the OTLP specification calls retryable.
  for (const [name, behaviour] of behaviours(503)) {
    it(`${name}: counted as failed, and forceFlush returns`, { timeout: 5000 }, async () => {
      behave = behaviour;
      process.env.OTEL_EXPORTER_OTLP_TIMEOUT = String(TIMEOUT_MS);
      try {
        const tracing = startTracing({ register: false, exporter: 'otlp', otlp: { url: `http://127.0.0.1:${port}/v1/traces` }, batch: { exportTimeoutMillis: TIMEOUT_MS * 4 } });
        tracing.tracer.startSpan('s').end();
        await tracing.forceFlush();
        const stats = tracing.exportStats();
        assert.equal(stats.failedSpans, 1, JSON.stringify(stats));
        assert.ok(stats.failedExports >= 1, JSON.stringify(stats));
        assert.equal(stats.exportedSpans + stats.droppedSpans, 0, JSON.stringify(stats));
        assert.equal(stats.heldSpans, 1, 'held for a resend, not dropped');
        await tracing.shutdown();
      } finally {
        delete process.env.OTEL_EXPORTER_OTLP_TIMEOUT;
      }
    });
  }
});
