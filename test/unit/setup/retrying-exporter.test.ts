// Failed exports held in a byte budget and resent: against a real local HTTP server standing in for
// the Jaeger collector, which can be down (port closed), refuse (5xx or 4xx) or accept.
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { startTracing, type Tracing, type TracingOptions } from '../../../src/setup/index';
import { Collector } from '../../support/local-collector';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const tracings: Tracing[] = [];
const collectors: Collector[] = [];
afterEach(async () => {
  await Promise.all(tracings.splice(0).map((t) => t.shutdown()));
  await Promise.all(collectors.splice(0).map((c) => c.stop()));
});

/** A collector on a free port that is then closed: connections to it are refused until `start()`. */
async function downCollector(): Promise<Collector> {
  const c = new Collector();
  collectors.push(c);
  await c.start();
  await c.stop();
  return c;
}

function tracingTo(collector: Collector, retry: TracingOptions['retry']): Tracing {
  const t = startTracing({
    register: false,
    exporter: 'jaeger',
    jaeger: { endpoint: `http://127.0.0.1:${collector.port}/api/traces` },
    retry,
    // Batches only on flush: a full batch would start on its own, ahead of the flush that waits for it.
    batch: { scheduledDelayMillis: 600000, maxExportBatchSize: 100, exportTimeoutMillis: 2000 },
  });
  tracings.push(t);
  return t;
}

/** Ends `n` spans named `<prefix>-<i>` and flushes them as one batch. */
async function spans(t: Tracing, prefix: string, n: number): Promise<string[]> {
  const names = Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(4, '0')}`);
  for (const name of names) t.tracer.startSpan(name).end();
  await t.forceFlush();
  return names;
}

describe('retry of failed exports (Jaeger collector path)', () => {
  it('collector down, then up: every span is held, then resent; none lost', async () => {
    const collector = await downCollector();
    const tracing = tracingTo(collector, { initialBackoffMillis: 50, maxBackoffMillis: 200 });
    const names = await spans(tracing, 'outage', 40);
    let stats = tracing.exportStats();
    assert.equal(stats.heldSpans, 40, JSON.stringify(stats));
    assert.ok(stats.heldBytes > 0, 'held as encoded bodies');
    assert.equal(stats.lostSpans + stats.droppedSpans, 0, JSON.stringify(stats));
    await collector.start();
    await until(() => tracing.exportStats().heldSpans === 0, 5000, 'the held spans to be resent');
    stats = tracing.exportStats();
    assert.deepEqual(
      names.filter((n) => !collector.received(n)),
      [],
      'every span reached the collector',
    );
    assert.equal(stats.exportedSpans, 40, JSON.stringify(stats));
    assert.equal(stats.resentSpans, 40);
    assert.equal(stats.lostSpans, 0);
    assert.equal(stats.heldBytes, 0);
  });

  it('retry off: the spans of a failed export are lost, and counted', async () => {
    const collector = await downCollector();
    const tracing = tracingTo(collector, false);
    await spans(tracing, 'off', 20);
    await collector.start();
    await sleep(300);
    await tracing.forceFlush();
    const stats = tracing.exportStats();
    assert.equal(stats.lostSpans, 20, JSON.stringify(stats));
    assert.equal(stats.heldSpans, 0);
    assert.equal(collector.bodies.length, 0);
  });

  it('a full budget gives up the oldest batches first, counted as lost; the newest get through', async () => {
    const collector = await downCollector();
    // Measure one 10-span body, then allow room for two and a half of them.
    // Uncompressed, so that every body has the size it is counted at from the start.
    const probe = tracingTo(collector, { initialBackoffMillis: 60000, compress: false });
    await spans(probe, 'probe', 10);
    const oneBody = probe.exportStats().heldBytes;
    const tracing = tracingTo(collector, { maxBytes: Math.floor(oneBody * 2.5), initialBackoffMillis: 60000, compress: false });
    const batches: string[][] = [];
    for (let b = 0; b < 5; b++) batches.push(await spans(tracing, `budget${b}`, 10));
    let stats = tracing.exportStats();
    assert.equal(stats.heldSpans, 20, JSON.stringify(stats));
    assert.ok(stats.heldBytes <= oneBody * 2.5);
    assert.equal(stats.lostSpans, 30, 'three oldest batches given up');
    await collector.start();
    await tracing.forceFlush(); // a flush resends at once, whatever the backoff
    stats = tracing.exportStats();
    assert.equal(stats.heldSpans, 0, JSON.stringify(stats));
    assert.equal(stats.exportedSpans, 20);
    assert.ok(batches.slice(3).flat().every((n) => collector.received(n)), 'the two newest batches arrive');
    assert.ok(!batches.slice(0, 3).flat().some((n) => collector.received(n)), 'the three oldest are gone');
    assert.equal(stats.endedSpans, stats.exportedSpans + stats.lostSpans + stats.droppedSpans, 'every span accounted for');
  });

  it('resends with growing waits while the collector refuses, then delivers when it accepts', async () => {
    const collector = new Collector();
    collectors.push(collector);
    collector.status = 503;
    await collector.start();
    const tracing = tracingTo(collector, { initialBackoffMillis: 100, maxBackoffMillis: 400 });
    const names = await spans(tracing, 'backoff', 10);
    await sleep(1500);
    // The first try and the flush's immediate resend, then waits of ~100, 200, 400, 400... (±20 %):
    // no hot loop, and not given up.
    const times = collector.requests.slice(1);
    const gaps = times.slice(1).map((t, i) => t - (times[i] as number));
    assert.ok(times.length >= 4 && times.length <= 8, `${times.length} requests in 1.5 s: ${gaps.join(', ')} ms apart`);
    assert.ok(gaps.every((g) => g >= 70), `no wait shorter than the first backoff: ${gaps.join(', ')}`);
    assert.ok((gaps[2] as number) > (gaps[0] as number) * 1.3, `waits grow: ${gaps.join(', ')}`);
    assert.ok(gaps.every((g) => g <= 400 * 1.2 + 100), `waits capped: ${gaps.join(', ')}`);
    collector.status = 202;
    await until(() => tracing.exportStats().heldSpans === 0, 3000, 'delivery once the collector accepts');
    assert.ok(names.every((n) => collector.received(n)));
    assert.equal(tracing.exportStats().lostSpans, 0);
  });

  it('a body the collector refuses (HTTP 400) is lost at once, not resent forever', async () => {
    const collector = new Collector();
    collectors.push(collector);
    collector.status = 400;
    await collector.start();
    const tracing = tracingTo(collector, { initialBackoffMillis: 50 });
    await spans(tracing, 'refused', 10);
    await sleep(300);
    const stats = tracing.exportStats();
    assert.equal(stats.lostSpans, 10, JSON.stringify(stats));
    assert.equal(stats.heldSpans, 0);
    assert.equal(collector.requests.length, 1, 'not resent');
  });
});

describe('retry of failed exports (any other exporter)', () => {
  it('holds the span objects with an estimated size and resends them through the exporter', async () => {
    let up = false;
    const delivered: string[] = [];
    const flaky: SpanExporter = {
      export: (batch: ReadableSpan[], done) => {
        if (!up) return done({ code: ExportResultCode.FAILED, error: new Error('collector down') });
        delivered.push(...batch.map((s) => s.name));
        done({ code: ExportResultCode.SUCCESS });
      },
      shutdown: () => Promise.resolve(),
    };
    const tracing = startTracing({ register: false, exporter: flaky, retry: { initialBackoffMillis: 50 }, batch: { scheduledDelayMillis: 600000, maxExportBatchSize: 100 } });
    tracings.push(tracing);
    const names = await spans(tracing, 'custom', 25);
    const held = tracing.exportStats();
    assert.equal(held.heldSpans, 25, JSON.stringify(held));
    assert.ok(held.heldBytes >= 25 * 700, 'an estimate of the held span objects');
    up = true;
    await until(() => tracing.exportStats().heldSpans === 0, 3000, 'the resend');
    assert.deepEqual(delivered.sort(), names);
    assert.equal(tracing.exportStats().lostSpans, 0);
  });

  it('OTLP: while the collector is down its exporter retries on its own, yet the processor queue drops nothing; all arrive after', { timeout: 20000 }, async () => {
    const collector = await downCollector();
    collector.status = 200;
    const tracing = startTracing({
      register: false,
      exporter: 'otlp',
      otlp: { url: `http://127.0.0.1:${collector.port}/v1/traces` },
      retry: { initialBackoffMillis: 100, maxBackoffMillis: 200 },
      // A small queue that the OTLP exporter's own retries (seconds per export) would overflow.
      batch: { maxQueueSize: 20, maxExportBatchSize: 10, scheduledDelayMillis: 20 },
    });
    tracings.push(tracing);
    const names: string[] = [];
    const end = async (from: number, n: number) => {
      for (let i = from; i < from + n; i++) {
        const name = `otlp-${String(i).padStart(4, '0')}`;
        names.push(name);
        tracing.tracer.startSpan(name).end();
        if (i % 10 === 9) await sleep(10);
      }
    };
    await end(0, 20); // the first exports go out, and the OTLP exporter retries them on its own
    await sleep(1500); // ... long enough to count as stuck
    await end(20, 180); // these would overflow a queue stuck behind those exports: they wait in the budget
    await sleep(200);
    await collector.start();
    await until(() => names.every((n) => collector.received(n)), 15000, 'every span to reach the collector');
    await tracing.forceFlush();
    const stats = tracing.exportStats();
    assert.equal(stats.droppedSpans + stats.lostSpans, 0, JSON.stringify(stats));
    assert.equal(stats.exportedSpans, 200);
  });
});
