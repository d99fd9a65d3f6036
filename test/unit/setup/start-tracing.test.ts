// startTracing with an in-memory exporter: resource, sampling, counting, idempotent shutdown.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { InMemorySpanExporter, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { JaegerExporter } from '@opentelemetry/exporter-jaeger';
import { OtlpHttpCollector } from '../../../src/setup/otlp/http-collector';
import { startTracing } from '../../../src/setup/index';
import { createExporter } from '../../../src/setup/exporter';
import { JaegerHttpExporter } from '../../../src/setup/jaeger-exporter';
import { VERSION } from '../../../src/version';
import pkg from '../../../package.json';

class FailingExporter implements SpanExporter {
  calls = 0;
  export(_spans: ReadableSpan[], done: (r: ExportResult) => void): void {
    this.calls++;
    if (this.calls === 1) throw new Error('synchronous exporter bug');
    done({ code: ExportResultCode.FAILED, error: new Error('collector refused') });
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

describe('startTracing', () => {
  it('exports through a BatchSpanProcessor with the service resource; shutdown flushes and is idempotent', async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = startTracing({ serviceName: 'svc-a', serviceVersion: '1.2.3', exporter, register: false, batch: { scheduledDelayMillis: 600000 } });
    for (let i = 0; i < 5; i++) tracing.tracer.startSpan(`s${i}`).end();
    assert.equal(exporter.getFinishedSpans().length, 0, 'batched, not exported yet');
    await tracing.forceFlush();
    const spans = exporter.getFinishedSpans();
    assert.equal(spans.length, 5);
    assert.equal(spans[0]?.resource.attributes['service.name'], 'svc-a');
    assert.equal(spans[0]?.resource.attributes['service.version'], '1.2.3');
    assert.equal(spans[0]?.resource.attributes['telemetry.distro.name'], 'kafkajs-tracing');
    assert.deepEqual(tracing.exportStats(), {
      endedSpans: 5,
      exportedSpans: 5,
      failedSpans: 0,
      failedExports: 0,
      lostSpans: 0,
      resentSpans: 0,
      heldSpans: 0,
      heldBytes: 0,
      droppedSpans: 0,
      rejectedSpans: 0,
    });
    await Promise.all([tracing.shutdown(), tracing.shutdown()]);
    await tracing.shutdown();
  });

  it('counts failed exports (and a throwing exporter) without throwing into the caller', async () => {
    const exporter = new FailingExporter();
    const tracing = startTracing({ serviceName: 'svc-b', exporter, register: false, retry: false, batch: { maxExportBatchSize: 2, scheduledDelayMillis: 600000 } });
    for (let i = 0; i < 4; i++) tracing.tracer.startSpan(`s${i}`).end();
    await tracing.forceFlush();
    await tracing.shutdown();
    const stats = tracing.exportStats();
    assert.equal(stats.exportedSpans, 0);
    assert.equal(stats.failedExports, 2);
    assert.equal(stats.failedSpans, 4);
    assert.equal(stats.lostSpans, 4, 'retry off: the spans of a failed export are lost at once');
  });

  it('counts a batch once even when an exporter answers twice', async () => {
    const twice: SpanExporter = {
      export: (_spans, done) => {
        done({ code: ExportResultCode.SUCCESS });
        done({ code: ExportResultCode.FAILED, error: new Error('late second answer') });
      },
      shutdown: () => Promise.resolve(),
    };
    const tracing = startTracing({ exporter: twice, register: false, batch: { scheduledDelayMillis: 600000 } });
    for (let i = 0; i < 3; i++) tracing.tracer.startSpan(`s${i}`).end();
    await tracing.forceFlush();
    const stats = tracing.exportStats();
    assert.equal(stats.exportedSpans, 3);
    assert.equal(stats.failedSpans, 0, JSON.stringify(stats));
    await tracing.shutdown();
  });

  it('counts spans dropped by a full queue', async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = startTracing({ exporter, register: false, batch: { maxQueueSize: 10, maxExportBatchSize: 10, scheduledDelayMillis: 600000 } });
    for (let i = 0; i < 25; i++) tracing.tracer.startSpan(`s${i}`).end();
    await tracing.shutdown();
    const stats = tracing.exportStats();
    assert.equal(stats.endedSpans, 25);
    assert.equal(stats.exportedSpans + stats.droppedSpans, 25);
    assert.ok(stats.droppedSpans >= 5, JSON.stringify(stats));
  });

  it('samples parent-based with a ratio', async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = startTracing({ exporter, register: false, sampleRatio: 0 });
    const root = tracing.tracer.startSpan('root');
    assert.equal(root.isRecording(), false, 'ratio 0: new traces are not sampled');
    root.end();
    await tracing.shutdown();
  });

  it('registers globally only when no provider is registered yet', async () => {
    const first = startTracing({ exporter: new InMemorySpanExporter() });
    const second = startTracing({ exporter: new InMemorySpanExporter() });
    assert.equal(first.registered, true);
    assert.equal(second.registered, false);
    await second.shutdown();
    await first.shutdown();
    const third = startTracing({ exporter: new InMemorySpanExporter() });
    assert.equal(third.registered, true, 'after shutdown the global slot is free again');
    await third.shutdown();
  });

  it('picks exporters from options, then environment', () => {
    assert.ok(createExporter({}).exporter instanceof OtlpHttpCollector, 'OTLP is the default');
    assert.equal(createExporter({}).label, 'OTLP collector http://127.0.0.1:4318/v1/traces');
    assert.ok(createExporter({ exporter: 'jaeger' }).exporter instanceof JaegerHttpExporter);
    assert.match(createExporter({ exporter: 'jaeger' }).label, /127\.0\.0\.1:14268/);
    assert.ok(createExporter({ exporter: 'otlp', otlp: { url: 'http://127.0.0.1:4318/v1/traces' } }).exporter instanceof OtlpHttpCollector);
    process.env.OTEL_TRACES_EXPORTER = 'jaeger';
    try {
      assert.ok(createExporter({}).exporter instanceof JaegerHttpExporter);
      assert.ok(createExporter({ exporter: 'otlp' }).exporter instanceof OtlpHttpCollector, 'explicit options win');
    } finally {
      delete process.env.OTEL_TRACES_EXPORTER;
    }
    const agent = createExporter({ jaeger: { agentHost: '10.0.0.1', agentPort: 6831 } });
    assert.match(agent.label, /agent 10\.0\.0\.1:6831/);
    assert.ok(agent.exporter instanceof JaegerExporter, 'the UDP agent path is the exporter-jaeger one');
  });

  it('reports the package version as the scope version', () => {
    assert.equal(VERSION, pkg.version);
  });
});
