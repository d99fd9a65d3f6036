// The processor that encodes spans as they end: its bodies must be exactly what the batch encoder
// makes of the same spans (itself checked against @opentelemetry/exporter-jaeger in
// jaeger-thrift.test.ts), batched and dropped as the SDK's processor would, against a local collector.
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { diag, DiagLogLevel, SpanKind, SpanStatusCode, TraceFlags, type Link } from '@opentelemetry/api';
import { detectResources, resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { JaegerHttpExporter } from '../../../src/setup/jaeger-exporter';
import { EncodingSpanProcessor } from '../../../src/setup/encoding-span-processor';
import { encodeBatch } from '../../../src/setup/jaeger-thrift';
import type { BatchOptions, RetryOptions } from '../../../src/setup/tracing-options';
import { swallowedCounts } from '../../../src/diag/report-once';
import { Collector } from '../../support/local-collector';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const resource = resourceFromAttributes({ 'service.name': 'svc-encode', 'host.name': 'h1', 'process.pid': 42 });

interface Setup {
  collector: Collector;
  exporter: JaegerHttpExporter;
  processor: EncodingSpanProcessor;
  memory: InMemorySpanExporter;
  provider: BasicTracerProvider;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function setUp(batch: Partial<BatchOptions>, retry: RetryOptions | false = {}, collector = new Collector()): Promise<Setup> {
  if (!collector.port) await collector.start();
  const exporter = new JaegerHttpExporter({ endpoint: `http://127.0.0.1:${collector.port}/api/traces`, timeoutMillis: 2000 });
  const full: Required<BatchOptions> = { maxQueueSize: 2048, maxExportBatchSize: 512, scheduledDelayMillis: 600000, exportTimeoutMillis: 2000, ...batch };
  const processor = new EncodingSpanProcessor(exporter, 'test collector', full, retry);
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource, spanProcessors: [processor, new SimpleSpanProcessor(memory)] });
  cleanups.push(async () => {
    await provider.shutdown();
    await collector.stop();
  });
  return { collector, exporter, processor, memory, provider };
}

/** Spans of every shape the encoder handles: kinds, attribute types, events, links, status, tracestate, non-ASCII. */
function makeSpans(provider: BasicTracerProvider, n: number): void {
  const tracer = provider.getTracer('kafkajs-tracing', '9.9.9');
  const first = tracer.startSpan('first');
  first.end();
  const link: Link = { context: first.spanContext(), attributes: { why: 'retry' } };
  for (let i = 1; i < n; i++) {
    const span = tracer.startSpan(i % 3 === 0 ? `process tøpic-${i} ✓` : `send topic-${i}`, {
      kind: [SpanKind.PRODUCER, SpanKind.CONSUMER, SpanKind.INTERNAL][i % 3],
      attributes: { 'messaging.system': 'kafka', 'messaging.kafka.offset': i, 'messaging.kafka.message.tombstone': i % 2 === 0, 'x.list': ['a', 'b'], 'x.float': i / 7 },
      links: i % 4 === 0 ? [link] : [],
    });
    if (i % 5 === 0) span.addEvent('retry', { attempt: i });
    if (i % 6 === 0) span.setStatus({ code: SpanStatusCode.ERROR, message: 'handler failed' });
    span.end();
  }
}

describe('EncodingSpanProcessor', () => {
  it('sends what the batch encoder makes of the same spans, byte for byte, one body per batch', async () => {
    const s = await setUp({ maxExportBatchSize: 7 });
    makeSpans(s.provider, 20);
    await s.processor.forceFlush();
    const spans = s.memory.getFinishedSpans();
    assert.equal(spans.length, 20);
    assert.deepEqual(
      s.collector.bodies.map((b) => b.length),
      [0, 7, 14].map((from) => encodeBatch(s.exporter.process(resource), spans.slice(from, from + 7)).length),
      'three bodies of 7, 7 and 6 spans',
    );
    for (const [i, from] of [0, 7, 14].entries()) {
      assert.ok(s.collector.bodies[i]?.equals(encodeBatch(s.exporter.process(resource), spans.slice(from, from + 7))), `body ${i} is the encoder's`);
    }
    assert.deepEqual(s.processor.stats(), {
      endedSpans: 20,
      exportedSpans: 20,
      failedSpans: 0,
      failedExports: 0,
      lostSpans: 0,
      resentSpans: 0,
      heldSpans: 0,
      heldBytes: 0,
      droppedSpans: 0,
      rejectedSpans: 0,
    });
  });

  it("waits for the resource's asynchronous attributes (host.id and the like) before encoding, and logs no error", async () => {
    const errors: string[] = [];
    diag.setLogger({ error: (m: string) => void errors.push(m), warn: () => undefined, info: () => undefined, debug: () => undefined, verbose: () => undefined }, DiagLogLevel.WARN);
    cleanups.push(async () => diag.disable());
    const collector = new Collector();
    await collector.start();
    const exporter = new JaegerHttpExporter({ endpoint: `http://127.0.0.1:${collector.port}/api/traces`, timeoutMillis: 2000 });
    const processor = new EncodingSpanProcessor(exporter, 'test collector', { maxQueueSize: 2048, maxExportBatchSize: 512, scheduledDelayMillis: 600000, exportTimeoutMillis: 2000 }, {});
    const slowHostId = new Promise<string>((r) => setTimeout(() => r('host-id-from-async-detector'), 50));
    const detected = detectResources({ detectors: [{ detect: () => ({ attributes: { 'service.name': 'svc-async', 'host.id': slowHostId } }) }] });
    const provider = new BasicTracerProvider({ resource: detected, spanProcessors: [processor] });
    cleanups.push(async () => {
      await provider.shutdown();
      await collector.stop();
    });
    assert.equal(detected.asyncAttributesPending, true, 'the detector is still running when spans end');
    const tracer = provider.getTracer('t');
    for (let i = 0; i < 5; i++) tracer.startSpan(`early ${i}`).end();
    await processor.forceFlush();
    tracer.startSpan('late').end();
    await processor.forceFlush();
    const bodies = Buffer.concat(collector.bodies);
    assert.ok(bodies.includes(Buffer.from('host-id-from-async-detector')), 'host.id is in the exported process');
    assert.equal(processor.stats().exportedSpans, 6, 'the spans that waited are all sent');
    for (const name of ['early 0', 'early 4', 'late']) assert.ok(bodies.includes(Buffer.from(name)));
    assert.deepEqual(errors.filter((e) => e.includes('async attributes')), [], 'no "before async attributes settled" error');
  });

  it('sends a partial batch after the scheduled delay, without a flush', async () => {
    const s = await setUp({ scheduledDelayMillis: 50 });
    makeSpans(s.provider, 3);
    assert.equal(s.collector.bodies.length, 0, 'batched, not sent at once');
    // The client counts a delivery when the answer is back, a moment after the collector has the body.
    for (let t = 0; t < 250 && s.processor.stats().exportedSpans < 3; t++) await sleep(20);
    assert.equal(s.collector.bodies.length, 1);
    assert.equal(s.processor.stats().exportedSpans, 3);
  });

  it('ignores spans that are not sampled', async () => {
    const s = await setUp({});
    const span = { spanContext: () => ({ traceId: '1'.repeat(32), spanId: '2'.repeat(16), traceFlags: TraceFlags.NONE }) } as unknown as ReadableSpan;
    s.processor.onEnd(span);
    await s.processor.forceFlush();
    assert.equal(s.processor.stats().endedSpans, 0);
    assert.equal(s.collector.requests.length, 0);
  });

  for (const retry of [false, {}] as const) {
    it(`retry ${retry === false ? 'off' : 'on'}: drops what does not fit in the queue while the collector is slow, and counts it`, async () => {
      const collector = new Collector();
      collector.delayMs = 300;
      const s = await setUp({ maxQueueSize: 10, maxExportBatchSize: 5 }, retry, collector);
      const tracer = s.provider.getTracer('t');
      for (let i = 0; i < 40; i++) tracer.startSpan(`q-${String(i).padStart(3, '0')}`).end();
      await s.processor.forceFlush();
      const stats = s.processor.stats();
      assert.equal(stats.endedSpans, 40);
      assert.ok(stats.droppedSpans > 0, JSON.stringify(stats));
      assert.equal(stats.heldSpans + stats.failedSpans + stats.lostSpans, 0, `slow is not failing: nothing held: ${JSON.stringify(stats)}`);
      assert.equal(stats.exportedSpans + stats.droppedSpans, 40, `every span accounted for: ${JSON.stringify(stats)}`);
      const received = collector.bodies.map((b) => b.toString('latin1').match(/q-\d{3}/g)?.length ?? 0).reduce((x, y) => x + y, 0);
      assert.equal(received, stats.exportedSpans, 'the collector got what was counted as exported');
    });
  }

  it('retry on: while an export is stuck (out over a second), new batches wait in the retry budget instead of being dropped', async () => {
    const collector = new Collector();
    collector.delayMs = 1600;
    const s = await setUp({ maxQueueSize: 10, maxExportBatchSize: 5, exportTimeoutMillis: 10000 }, { initialBackoffMillis: 50 }, collector);
    const tracer = s.provider.getTracer('t');
    const end = (from: number, n: number) => {
      for (let i = from; i < from + n; i++) tracer.startSpan(`q-${String(i).padStart(3, '0')}`).end();
    };
    end(0, 20); // two batches in flight, two waiting: the queue is full
    await sleep(1200); // the first exports are now stuck
    end(20, 20);
    const during = s.processor.stats();
    assert.equal(during.droppedSpans, 0, JSON.stringify(during));
    assert.ok(during.heldSpans >= 20, `held while stuck: ${JSON.stringify(during)}`);
    await s.processor.forceFlush();
    const stats = s.processor.stats();
    assert.equal(stats.exportedSpans, 40, JSON.stringify(stats));
    assert.equal(stats.droppedSpans + stats.lostSpans, 0);
    const received = collector.bodies.map((b) => b.toString('latin1').match(/q-\d{3}/g)?.length ?? 0).reduce((x, y) => x + y, 0);
    assert.equal(received, 40);
  });

  it('a span that cannot be encoded is lost alone, counted and reported once; its batch is intact', async () => {
    const s = await setUp({ maxExportBatchSize: 100 });
    const reports: string[] = [];
    diag.setLogger({ warn: (...args: unknown[]) => reports.push(args.join(' ')), error: () => undefined, info: () => undefined, debug: () => undefined, verbose: () => undefined }, DiagLogLevel.WARN);
    cleanups.push(async () => diag.disable());
    const before = swallowedCounts()['span-encode'];
    makeSpans(s.provider, 4);
    const good = s.memory.getFinishedSpans();
    // A span whose attributes throw half-way through encoding (a hostile exporter-side value).
    const bad = Object.create(good[1] as object, { attributes: { get: () => new Proxy({ a: 1, b: 2 }, { get: () => { throw new Error('hostile attribute'); } }) } }) as ReadableSpan;
    s.processor.onEnd(bad);
    s.processor.onEnd(bad);
    makeSpans(s.provider, 2);
    await s.processor.forceFlush();
    const spans = s.memory.getFinishedSpans();
    assert.equal(s.collector.bodies.length, 1);
    assert.ok(s.collector.bodies[0]?.equals(encodeBatch(s.exporter.process(resource), spans)), 'the body holds the good spans only, well-formed');
    const stats = s.processor.stats();
    assert.equal(stats.lostSpans, 2, JSON.stringify(stats));
    assert.equal(stats.exportedSpans, 6);
    assert.equal(swallowedCounts()['span-encode'] - before, 2);
    assert.equal(reports.filter((r) => r.includes('span-encode')).length, before === 0 ? 1 : 0, 'reported once');
  });

  it('after an outage, fresh spans go ahead of the held backlog', async () => {
    const collector = new Collector();
    await collector.start();
    await collector.stop(); // down
    const s = await setUp({ maxExportBatchSize: 5 }, { initialBackoffMillis: 100, maxBackoffMillis: 100 }, collector);
    const tracer = s.provider.getTracer('t');
    for (let i = 0; i < 20; i++) tracer.startSpan(`backlog-${i}`).end();
    await s.processor.forceFlush();
    assert.equal(s.processor.stats().heldSpans, 20, JSON.stringify(s.processor.stats()));
    collector.delayMs = 150; // a collector that takes its time catching up
    await collector.start();
    // Once the first resend got through (the collector is back), end fresh spans.
    for (let t = 0; t < 300 && s.processor.stats().exportedSpans === 0; t++) await sleep(5);
    for (let i = 0; i < 5; i++) tracer.startSpan(`fresh-${i}`).end();
    for (let t = 0; t < 300 && s.processor.stats().exportedSpans < 25; t++) await sleep(10);
    const order = collector.bodies.map((b) => (b.includes('fresh-') ? 'fresh' : 'backlog'));
    assert.equal(order.length, 5, order.join(', '));
    assert.ok(order.indexOf('fresh') <= 2, `fresh spans go beside the next resend, not after the backlog: ${order.join(', ')}`);
    const stats = s.processor.stats();
    assert.equal(stats.exportedSpans, 25);
    assert.equal(stats.resentSpans, 20);
    assert.equal(stats.lostSpans + stats.droppedSpans, 0);
  });

  it('holds failed bodies deflated, and resends them exactly as they were encoded', async () => {
    const collector = new Collector();
    await collector.start();
    await collector.stop(); // down
    const s = await setUp({ maxExportBatchSize: 100 }, { initialBackoffMillis: 60000 }, collector);
    const tracer = s.provider.getTracer('kafkajs-tracing', '1.0.0');
    for (let i = 0; i < 200; i++) {
      tracer
        .startSpan(`send orders-${i % 4}`, {
          kind: SpanKind.PRODUCER,
          attributes: { 'messaging.system': 'kafka', 'messaging.operation.name': 'send', 'messaging.destination.name': `orders-${i % 4}`, 'messaging.kafka.offset': 1000 + i, 'messaging.message.body.size': 1200 },
        })
        .end();
    }
    await s.processor.forceFlush();
    const spans = s.memory.getFinishedSpans();
    const raw = [0, 100].map((from) => encodeBatch(s.exporter.process(resource), spans.slice(from, from + 100)));
    const rawBytes = raw[0]!.length + raw[1]!.length;
    for (let t = 0; t < 100 && s.processor.stats().heldBytes >= rawBytes / 3; t++) await sleep(10);
    const held = s.processor.stats();
    assert.equal(held.heldSpans, 200, JSON.stringify(held));
    assert.ok(held.heldBytes < rawBytes / 3, `deflated in the budget: ${held.heldBytes} of ${rawBytes} bytes`);
    await collector.start();
    await s.processor.forceFlush();
    assert.equal(collector.bodies.length, 2);
    assert.ok(collector.bodies[0]?.equals(raw[0]!) && collector.bodies[1]?.equals(raw[1]!), 'the collector gets the Thrift bodies, not the deflated ones');
    assert.equal(s.processor.stats().resentSpans, 200);
  });
});
