// The standard OTEL_* variables, with the specification's meaning: OTEL_TRACES_EXPORTER (none, lists,
// unknown values), OTEL_SDK_DISABLED, OTEL_PROPAGATORS, and blank OTEL_BSP_* values.
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { DiagLogLevel, context, diag, propagation, trace } from '@opentelemetry/api';
import { ConsoleSpanExporter, InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { OtlpHttpCollector } from '../../../src/setup/otlp/http-collector';
import { startTracing } from '../../../src/setup/index';
import { createExporter } from '../../../src/setup/exporter';
import { metricsChoice } from '../../../src/setup/metrics-export';
import { JaegerHttpExporter } from '../../../src/setup/jaeger-exporter';

const VARS = ['OTEL_TRACES_SAMPLER', 'OTEL_TRACES_SAMPLER_ARG', 'OTEL_METRICS_EXPORTER', 'OTEL_TRACES_EXPORTER', 'OTEL_SDK_DISABLED', 'OTEL_PROPAGATORS', 'OTEL_BSP_MAX_QUEUE_SIZE', 'OTEL_BSP_SCHEDULE_DELAY'];
const saved = Object.fromEntries(VARS.map((v) => [v, process.env[v]]));
const warnings: string[] = [];
before(() => {
  for (const v of VARS) delete process.env[v];
  const quiet = () => undefined;
  diag.setLogger({ warn: (m: string) => void warnings.push(m), error: quiet, info: quiet, debug: quiet, verbose: quiet }, DiagLogLevel.WARN);
});
afterEach(() => {
  for (const v of VARS) delete process.env[v];
  trace.disable();
  propagation.disable();
  context.disable();
});
after(() => {
  diag.disable();
  for (const v of VARS) if (saved[v] !== undefined) process.env[v] = saved[v];
});

/** The exporters a fan-out (or single) exporter hands spans to. */
function exportersOf(e: unknown): unknown[] {
  const inner = (e as { exporters?: unknown[] }).exporters;
  return inner ?? [e];
}

describe('OTEL_TRACES_EXPORTER', () => {
  it('none: spans are made and propagated, nothing is exported', async () => {
    process.env.OTEL_TRACES_EXPORTER = 'none';
    assert.equal(createExporter({}).exporter, undefined);
    const tracing = startTracing({ register: false });
    const span = tracing.tracer.startSpan('s');
    assert.equal(span.isRecording(), true, 'spans are still made');
    span.end();
    await tracing.shutdown();
    assert.deepEqual(tracing.exportStats(), { endedSpans: 0, exportedSpans: 0, failedSpans: 0, failedExports: 0, lostSpans: 0, resentSpans: 0, heldSpans: 0, heldBytes: 0, droppedSpans: 0, rejectedSpans: 0 });
  });

  it('a list such as "otlp, console" exports to each', () => {
    process.env.OTEL_TRACES_EXPORTER = 'otlp, console';
    const { exporter, label } = createExporter({});
    const inner = exportersOf(exporter);
    assert.equal(inner.length, 2);
    assert.ok(inner[0] instanceof OtlpHttpCollector);
    assert.ok(inner[1] instanceof ConsoleSpanExporter);
    assert.match(label, /OTLP collector .* \+ console/);
  });

  it('jaeger, and unknown values warned about once and skipped', () => {
    process.env.OTEL_TRACES_EXPORTER = 'jaeger';
    assert.ok(createExporter({}).exporter instanceof JaegerHttpExporter);
    process.env.OTEL_TRACES_EXPORTER = 'zipkin-typo';
    assert.ok(createExporter({}).exporter instanceof OtlpHttpCollector, 'falls back to the default, OTLP');
    createExporter({});
    assert.equal(warnings.filter((w) => w.includes('zipkin-typo')).length, 1, 'warned once');
    assert.ok(createExporter({ exporter: 'otlp' }).exporter instanceof OtlpHttpCollector, 'an explicit option wins');
  });

  it('values are case-insensitive: OTLP is otlp, NONE is none', () => {
    process.env.OTEL_TRACES_EXPORTER = 'OTLP';
    assert.ok(createExporter({}).exporter instanceof OtlpHttpCollector);
    process.env.OTEL_TRACES_EXPORTER = 'Otlp,Console';
    assert.equal(exportersOf(createExporter({}).exporter).length, 2);
    process.env.OTEL_TRACES_EXPORTER = 'NONE';
    assert.equal(createExporter({}).exporter, undefined);
    assert.equal(warnings.filter((w) => /OTLP|Otlp|NONE/.test(w)).length, 0, 'nothing warned about');
  });
});

describe('OTEL_SDK_DISABLED=true', () => {
  it('returns a handle whose methods work and do nothing', async () => {
    process.env.OTEL_SDK_DISABLED = 'true';
    const exporter = new InMemorySpanExporter();
    const tracing = startTracing({ exporter });
    assert.equal(tracing.registered, false);
    assert.equal(trace.getTracerProvider().getTracer('x').startSpan('s').isRecording(), false, 'no provider registered');
    assert.deepEqual(propagation.fields(), [], 'no propagator registered');
    const span = tracing.tracer.startSpan('s');
    assert.equal(span.isRecording(), false);
    span.end();
    await tracing.forceFlush();
    await tracing.shutdown();
    await tracing.shutdown();
    assert.equal(exporter.getFinishedSpans().length, 0, 'nothing exported');
    assert.equal(tracing.exportStats().endedSpans, 0);
  });
});

describe('OTEL_PROPAGATORS', () => {
  const cases: [string, string[]][] = [
    ['tracecontext', ['traceparent', 'tracestate']],
    ['baggage', ['baggage']],
    ['b3', ['b3']],
    ['b3multi', ['x-b3-traceid', 'x-b3-spanid', 'x-b3-flags', 'x-b3-sampled', 'x-b3-parentspanid']],
    ['jaeger', ['uber-trace-id']],
    ['tracecontext,b3', ['traceparent', 'tracestate', 'b3']],
    // Enum values are case-insensitive (the specification's SHOULD): this used to turn propagation off.
    ['TraceContext,Baggage', ['traceparent', 'tracestate', 'baggage']],
    ['B3MULTI', ['x-b3-traceid', 'x-b3-spanid', 'x-b3-flags', 'x-b3-sampled', 'x-b3-parentspanid']],
  ];
  for (const [value, fields] of cases) {
    it(`${value} registers those propagators`, async () => {
      process.env.OTEL_PROPAGATORS = value;
      const tracing = startTracing({ exporter: new InMemorySpanExporter() });
      assert.deepEqual([...propagation.fields()].sort(), [...fields].sort());
      await tracing.shutdown();
    });
  }

  it('none registers no propagator; unknown names are warned about once', async () => {
    process.env.OTEL_PROPAGATORS = 'none';
    let tracing = startTracing({ exporter: new InMemorySpanExporter() });
    assert.deepEqual(propagation.fields(), []);
    await tracing.shutdown();
    process.env.OTEL_PROPAGATORS = 'tracecontext,xray-typo';
    tracing = startTracing({ exporter: new InMemorySpanExporter() });
    assert.deepEqual(propagation.fields(), ['traceparent', 'tracestate']);
    assert.equal(warnings.filter((w) => w.includes('xray-typo')).length, 1);
    await tracing.shutdown();
  });
});

describe('OTEL_BSP_*', () => {
  it('a blank value counts as unset, not as a zero-size queue', async () => {
    process.env.OTEL_BSP_MAX_QUEUE_SIZE = ' ';
    process.env.OTEL_BSP_SCHEDULE_DELAY = '';
    const exporter = new InMemorySpanExporter();
    const tracing = startTracing({ exporter, register: false });
    for (let i = 0; i < 5; i++) tracing.tracer.startSpan(`s${i}`).end();
    await tracing.forceFlush();
    assert.equal(exporter.getFinishedSpans().length, 5);
    assert.equal(tracing.exportStats().droppedSpans, 0);
    await tracing.shutdown();
  });
});

describe('OTEL_METRICS_EXPORTER', () => {
  it('is read as the list the specification defines', () => {
    process.env.OTEL_METRICS_EXPORTER = ' otlp ';
    assert.deepEqual(metricsChoice(undefined), { exporter: 'otlp' });
    process.env.OTEL_METRICS_EXPORTER = 'console,prometheus';
    assert.deepEqual(metricsChoice(undefined), { exporter: 'prometheus' }, 'the supported one of a list');
    assert.equal(warnings.filter((w) => w.includes('"console" in OTEL_METRICS_EXPORTER')).length, 1, 'the other warned about');
    process.env.OTEL_METRICS_EXPORTER = 'Prometheus';
    assert.deepEqual(metricsChoice(undefined), { exporter: 'prometheus' }, 'case-insensitive');
    process.env.OTEL_METRICS_EXPORTER = 'none';
    assert.equal(metricsChoice(undefined), undefined);
    process.env.OTEL_METRICS_EXPORTER = '  ';
    assert.equal(metricsChoice(undefined), undefined);
  });
});

// @opentelemetry/sdk-trace (the SDK of both the 2.x and 3.x lines) leaves the sampler variables to its caller.
describe('OTEL_TRACES_SAMPLER', () => {
  const sampledShare = (n = 2000) => {
    const tracing = startTracing({ exporter: new InMemorySpanExporter(), register: false, metrics: false, flushOnSignals: false });
    let sampled = 0;
    for (let i = 0; i < n; i++) {
      const span = tracing.tracer.startSpan('root');
      if (span.isRecording()) sampled++;
      span.end();
    }
    void tracing.shutdown();
    return sampled / n;
  };

  it('is read by startTracing: always_off, traceidratio with its argument, parent-based by default', () => {
    assert.equal(sampledShare(), 1, 'unset: parentbased_always_on');
    process.env.OTEL_TRACES_SAMPLER = 'always_off';
    assert.equal(sampledShare(), 0);
    process.env.OTEL_TRACES_SAMPLER = 'TraceIdRatio';
    process.env.OTEL_TRACES_SAMPLER_ARG = '0.25';
    const share = sampledShare();
    assert.ok(share > 0.18 && share < 0.32, `about a quarter sampled, got ${share}`);
    process.env.OTEL_TRACES_SAMPLER = 'parentbased_always_off';
    assert.equal(sampledShare(), 0);
  });

  it('an unknown sampler or an argument out of range: the default, said once', () => {
    process.env.OTEL_TRACES_SAMPLER = 'sometimes';
    assert.equal(sampledShare(), 1);
    assert.ok(warnings.some((w) => w.includes('OTEL_TRACES_SAMPLER') && w.includes('sometimes')));
    process.env.OTEL_TRACES_SAMPLER = 'traceidratio';
    process.env.OTEL_TRACES_SAMPLER_ARG = '7';
    assert.equal(sampledShare(), 1);
    assert.ok(warnings.some((w) => w.includes('OTEL_TRACES_SAMPLER_ARG')));
  });
});
