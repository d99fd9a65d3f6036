// The same span exported through our Jaeger Thrift path and through OTLP reaches the real Jaeger with
// the same tags: tracestate as w3c.tracestate, the scope as otel.scope.name / otel.scope.version.
// Jaeger's own OTLP translation is the reference the Thrift path must match.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { startTracing } from '../../src/setup/index';
import { JaegerQuery, waitForTrace } from '../../src/harness/index';
import { JAEGER_ENDPOINT, JAEGER_QUERY_URL } from '../support/env';
import { SCOPE_NAME, VERSION } from '../../src/version';

const jaeger = new JaegerQuery(JAEGER_QUERY_URL);
const OTLP_URL = process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? `http://${new URL(JAEGER_ENDPOINT).hostname}:4318/v1/traces`;

/** Exports one consumer span, child of a remote parent carrying `tracestate`, through `exporter`; returns its trace id. */
async function exportOne(serviceName: string, exporter: 'jaeger' | 'otlp'): Promise<string> {
  const tracing = startTracing({ serviceName, exporter, register: false, jaeger: { endpoint: JAEGER_ENDPOINT }, otlp: { url: OTLP_URL } });
  const traceId = randomBytes(16).toString('hex');
  const parent = trace.setSpanContext(ROOT_CONTEXT, {
    traceId,
    spanId: randomBytes(8).toString('hex'),
    traceFlags: 1,
    isRemote: true,
    traceState: new TraceState('vendor=abc,other=x:1'),
  });
  tracing.tracer.startSpan('process orders', { kind: SpanKind.CONSUMER, attributes: { 'messaging.system': 'kafka' } }, parent).end();
  await tracing.shutdown();
  assert.equal(tracing.exportStats().exportedSpans, 1, `${exporter} export delivered`);
  return traceId;
}

/** The span's tags as Jaeger's query API returns them, minus those only one path can have. */
async function storedTags(traceId: string): Promise<Record<string, unknown>> {
  await waitForTrace(jaeger, traceId, { minSpans: 1, timeoutMs: 15000 });
  const raw = await jaeger.getTrace(traceId);
  const span = raw?.spans[0];
  return Object.fromEntries((span?.tags ?? []).map((t) => [t.key, t.value]));
}

describe('Thrift and OTLP exports store the same tags in Jaeger', () => {
  it('tracestate and instrumentation scope', async () => {
    const service = `it-tags-${Date.now().toString(36)}`;
    const [viaThrift, viaOtlp] = await Promise.all([exportOne(`${service}-thrift`, 'jaeger'), exportOne(`${service}-otlp`, 'otlp')]);
    const [thrift, otlp] = await Promise.all([storedTags(viaThrift), storedTags(viaOtlp)]);
    assert.equal(otlp['w3c.tracestate'], 'vendor=abc,other=x:1', "Jaeger's OTLP translation: the reference");
    assert.equal(otlp['otel.scope.name'], SCOPE_NAME);
    assert.equal(otlp['otel.scope.version'], VERSION);
    assert.deepEqual(thrift, otlp, 'the same tags whichever path');
  });
});
