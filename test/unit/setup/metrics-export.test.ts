// startTracing({ metrics }): the messaging metrics reach a real Prometheus scrape endpoint and a
// real OTLP/HTTP receiver (a local server standing in for the collector).
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DiagLogLevel, diag, metrics } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Producer, RecordMetadata } from 'kafkajs';
import { instrumentProducer } from '../../../src/index';
import { startTracing } from '../../../src/setup/index';

function fakeProducer(): Producer {
  const fake = {
    send: async (): Promise<RecordMetadata[]> => [{ topicName: 'orders', partition: 0, errorCode: 0, baseOffset: '1' }],
    sendBatch: async (): Promise<RecordMetadata[]> => [],
    transaction: async () => fake,
  };
  return fake as unknown as Producer;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function scrape(port: number): Promise<string> {
  // The exporter starts its server asynchronously; retry briefly.
  for (let i = 0; ; i++) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      return await res.text();
    } catch (err) {
      if (i > 50) throw err;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

describe('startTracing metrics export', () => {
  const servers: Server[] = [];
  after(() => servers.forEach((s) => s.close()));

  it('is off by default: no meter provider, nothing registered', async () => {
    // The default is what applies with OTEL_METRICS_EXPORTER unset, whatever the caller's environment says.
    const saved = process.env.OTEL_METRICS_EXPORTER;
    delete process.env.OTEL_METRICS_EXPORTER;
    try {
      const tracing = startTracing({ exporter: new InMemorySpanExporter() });
      assert.equal(tracing.meterProvider, undefined);
      assert.equal(metrics.getMeterProvider().getMeter('probe').createCounter('c').constructor.name, 'NoopCounterMetric', 'no meter provider registered');
      await tracing.shutdown();
    } finally {
      if (saved !== undefined) process.env.OTEL_METRICS_EXPORTER = saved;
    }
  });

  it('serves the messaging metrics on a Prometheus scrape endpoint', async () => {
    const port = await freePort();
    const tracing = startTracing({ register: false, exporter: new InMemorySpanExporter(), metrics: { exporter: 'prometheus', port, host: '127.0.0.1' } });
    assert.ok(tracing.meterProvider);
    const producer = instrumentProducer(fakeProducer(), { tracerProvider: tracing.provider, meterProvider: tracing.meterProvider });
    await producer.send({ topic: 'orders', messages: [{ value: 'a' }, { value: 'b' }] });
    const text = await scrape(port);
    const line = text.split('\n').find((l) => l.startsWith('messaging_client_sent_messages') && l.includes('messaging_destination_name="orders"'));
    assert.ok(line, `no sent-messages sample in:\n${text}`);
    assert.equal(Number(line.trim().split(/\s+/).pop()), 2);
    assert.match(text, /messaging_client_operation_duration(_seconds)?_bucket\{/);
    await tracing.shutdown();
    await assert.rejects(fetch(`http://127.0.0.1:${port}/metrics`), 'shutdown closes the scrape endpoint');
  });

  it('listens on localhost unless told otherwise, as OTEL_EXPORTER_PROMETHEUS_HOST defaults', async () => {
    const port = await freePort();
    const tracing = startTracing({ register: false, exporter: new InMemorySpanExporter(), metrics: { exporter: 'prometheus', port } });
    try {
      await scrape(port); // answers on the loopback
      const { networkInterfaces } = await import('node:os');
      const outside = Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal);
      if (outside) await assert.rejects(fetch(`http://${outside.address}:${port}/metrics`), 'not on the machine’s other interfaces');
    } finally {
      await tracing.shutdown();
    }
  });

  it('pushes them over OTLP/HTTP on flush', async () => {
    const bodies: string[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        bodies.push(`${req.url} ${body}`);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/metrics`;
    const tracing = startTracing({ register: false, exporter: new InMemorySpanExporter(), metrics: { exporter: 'otlp', url, exportIntervalMillis: 3600000 } });
    const producer = instrumentProducer(fakeProducer(), { tracerProvider: tracing.provider, meterProvider: tracing.meterProvider });
    await producer.send({ topic: 'orders', messages: [{ value: 'a' }] });
    await tracing.forceFlush();
    const pushed = bodies.find((b) => b.startsWith('/v1/metrics ') && b.includes('messaging.client.sent.messages'));
    assert.ok(pushed, `nothing pushed; saw ${bodies.length} request(s)`);
    await tracing.shutdown();
  });

  it('a taken Prometheus port is reported, not thrown, and tracing goes on', async () => {
    const busy = createServer();
    servers.push(busy);
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as AddressInfo).port;
    const warnings: string[] = [];
    const quiet = () => undefined;
    diag.setLogger({ warn: (m: string) => void warnings.push(m), error: quiet, info: quiet, debug: quiet, verbose: quiet }, DiagLogLevel.WARN);
    try {
      const spans = new InMemorySpanExporter();
      const tracing = startTracing({ register: false, exporter: spans, metrics: { exporter: 'prometheus', port, host: '127.0.0.1' } });
      const producer = instrumentProducer(fakeProducer(), { tracerProvider: tracing.provider, meterProvider: tracing.meterProvider });
      await producer.send({ topic: 'orders', messages: [{ value: 'a' }] });
      // The failed listen is reported asynchronously.
      for (let i = 0; i < 100 && !warnings.some((w) => w.includes('could not start')); i++) await new Promise((r) => setTimeout(r, 20));
      const reported = warnings.filter((w) => w.includes('could not start'));
      assert.equal(reported.length, 1, `one warning about the port: ${JSON.stringify(warnings)}`);
      assert.match(reported[0] as string, new RegExp(`127\\.0\\.0\\.1:${port}/metrics.*EADDRINUSE`));
      await tracing.forceFlush();
      assert.equal(spans.getFinishedSpans().length, 1, 'tracing goes on');
      await tracing.shutdown();
    } finally {
      diag.disable();
    }
  });

  it('registered globally, it feeds middleware that was instrumented before startTracing ran', async () => {
    const producer = instrumentProducer(fakeProducer()); // no provider anywhere yet
    const port = await freePort();
    const tracing = startTracing({ exporter: new InMemorySpanExporter(), metrics: { exporter: 'prometheus', port, host: '127.0.0.1' } });
    try {
      assert.equal(metrics.getMeterProvider(), tracing.meterProvider);
      await producer.send({ topic: 'late', messages: [{ value: 'a' }] });
      const text = await scrape(port);
      assert.match(text, /messaging_client_sent_messages(_total)?\{[^}]*messaging_destination_name="late"[^}]*\} 1/);
    } finally {
      await tracing.shutdown();
    }
    assert.notEqual(metrics.getMeterProvider(), tracing.meterProvider, 'shutdown unregisters what it registered');
  });
});
