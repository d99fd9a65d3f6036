// A collector endpoint with a typo (no scheme, a protocol Node cannot send to) is checked once at start:
// startTracing never throws for it, says what is wrong through diag, and never retries it for ever.
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { DiagLogLevel, context, diag, propagation, trace } from '@opentelemetry/api';
import { OtlpHttpCollector } from '../../../src/setup/otlp/http-collector';
import { checkEndpoint } from '../../../src/setup/endpoint-url';
import { createExporter } from '../../../src/setup/exporter';
import { JaegerHttpExporter } from '../../../src/setup/jaeger-exporter';
import { startTracing } from '../../../src/setup/index';

const VARS = ['OTEL_EXPORTER_JAEGER_ENDPOINT', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_TRACES_EXPORTER'];
const saved = Object.fromEntries(VARS.map((v) => [v, process.env[v]]));
const logged: { level: string; message: string }[] = [];
before(() => {
  for (const v of VARS) delete process.env[v];
  const keep = (level: string) => (m: string) => void logged.push({ level, message: m });
  diag.setLogger({ warn: keep('warn'), error: keep('error'), info: () => undefined, debug: () => undefined, verbose: () => undefined }, DiagLogLevel.WARN);
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

const urlOf = (e: unknown): string => String((e as { url: URL }).url);

describe('checkEndpoint', () => {
  it('keeps http and https URLs as they are', () => {
    assert.deepEqual(checkEndpoint('http://127.0.0.1:14268/api/traces', 'x'), { ok: true, url: 'http://127.0.0.1:14268/api/traces' });
    assert.deepEqual(checkEndpoint('https://collector.example:4318/v1/traces', 'x'), { ok: true, url: 'https://collector.example:4318/v1/traces' });
  });

  it('takes host:port[/path] without a scheme as http, warning once', () => {
    const before = logged.length;
    assert.deepEqual(checkEndpoint('127.0.0.1:14268/api/traces', 'A'), { ok: true, url: 'http://127.0.0.1:14268/api/traces' });
    assert.deepEqual(checkEndpoint('localhost:14268/api/traces', 'A'), { ok: true, url: 'http://localhost:14268/api/traces' });
    assert.deepEqual(checkEndpoint('[::1]:4318', 'A'), { ok: true, url: 'http://[::1]:4318' });
    checkEndpoint('localhost:14268/api/traces', 'A');
    const warnings = logged.slice(before).filter((l) => l.level === 'warn');
    assert.equal(warnings.length, 3, 'one warning per endpoint, not per call');
    assert.match(warnings[1]?.message ?? '', /"localhost:14268\/api\/traces" in A has no scheme; it is used as http:\/\/localhost:14268/);
  });

  it('refuses what can never be sent to, with an error naming its source', () => {
    for (const bad of ['ftp://127.0.0.1:21/x', 'not a url', 'mailto:ops@example.com', 'file:///tmp/spans', '']) {
      const checked = checkEndpoint(bad, 'OTEL_EXPORTER_JAEGER_ENDPOINT');
      assert.equal(checked.ok, false, bad);
    }
    assert.ok(logged.some((l) => l.level === 'error' && l.message.includes('"ftp://127.0.0.1:21/x" in OTEL_EXPORTER_JAEGER_ENDPOINT cannot be used')));
  });
});

describe('startTracing with a mistyped endpoint', () => {
  it('a Jaeger endpoint without a scheme no longer throws: it is used as http', async () => {
    process.env.OTEL_EXPORTER_JAEGER_ENDPOINT = '127.0.0.1:14268/api/traces';
    const { exporter } = createExporter({ exporter: 'jaeger' });
    assert.ok(exporter instanceof JaegerHttpExporter);
    assert.equal(urlOf(exporter), 'http://127.0.0.1:14268/api/traces');
    const tracing = startTracing({ exporter: 'jaeger', serviceName: 'typo' });
    await tracing.shutdown();
  });

  it('an unusable endpoint builds no exporter and startTracing still works', async () => {
    process.env.OTEL_EXPORTER_JAEGER_ENDPOINT = 'gopher://127.0.0.1:70/';
    assert.equal(createExporter({ exporter: 'jaeger' }).exporter, undefined);
    const tracing = startTracing({ exporter: 'jaeger', serviceName: 'typo' });
    const span = tracing.tracer.startSpan('still traced');
    assert.equal(span.isRecording(), true, 'spans are still made (and propagated)');
    span.end();
    await tracing.forceFlush();
    await tracing.shutdown();
  });

  it('OTLP: the traces variable wins, the generic one gets /v1/traces, both checked', () => {
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = 'collector:4318/';
    let built = createExporter({ exporter: 'otlp' });
    assert.ok(built.exporter instanceof OtlpHttpCollector);
    assert.equal(built.label, 'OTLP collector http://collector:4318/v1/traces');
    process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = 'https://traces.example/custom';
    built = createExporter({ exporter: 'otlp' });
    assert.equal(built.label, 'OTLP collector https://traces.example/custom');
    process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = 'ws://traces.example/custom';
    assert.equal(createExporter({ exporter: 'otlp' }).exporter, undefined);
  });
});
