// The OTLP/HTTP collector behind the encoding span processor, against a local collector (over http,
// https with a private CA, and mutual TLS): what it sends, what it retries, what it gives up on and
// how it says so, and the processor's batching, timer, flush and shutdown through it.
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { diag, DiagLogLevel, SpanKind } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { EncodingSpanProcessor } from '../../../../src/setup/encoding-span-processor';
import { OtlpHttpCollector } from '../../../../src/setup/otlp/http-collector';
import { otlpHttpConfig } from '../../../../src/setup/otlp/otlp-config';
import type { BatchOptions, OtlpExportOptions, RetryOptions } from '../../../../src/setup/tracing-options';
import { Collector, type CollectorTls } from '../../../support/local-collector';
import { decodeTraceRequest, encodePartialSuccess } from '../../../support/otlp-proto';
import { makeTlsFixture, type TlsFixture } from '../../../support/tls';

const resource = resourceFromAttributes({ 'service.name': 'svc-otlp-http', 'host.name': 'h1' });

interface Setup {
  collector: Collector;
  processor: EncodingSpanProcessor;
  provider: TracerProvider;
  memory: InMemorySpanExporter;
  copy: SimpleSpanProcessor;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** diag messages at warn and error, for the test's duration. */
function captureDiag(): { errors: string[]; warnings: string[] } {
  const errors: string[] = [];
  const warnings: string[] = [];
  diag.setLogger({ error: (m: string) => void errors.push(m), warn: (m: string) => void warnings.push(m), info: () => undefined, debug: () => undefined, verbose: () => undefined }, DiagLogLevel.WARN);
  cleanups.push(async () => diag.disable());
  return { errors, warnings };
}

async function setUp(
  options: OtlpExportOptions = {},
  batch: Partial<BatchOptions> = {},
  retry: RetryOptions | false = { initialBackoffMillis: 10 },
  tls?: CollectorTls,
): Promise<Setup> {
  const collector = new Collector(0, tls);
  await collector.start();
  const config = otlpHttpConfig({ url: collector.url('/v1/traces'), timeoutMillis: 2000, ...options });
  assert.ok(config);
  const processor = new EncodingSpanProcessor(new OtlpHttpCollector(config), 'test OTLP collector', { maxQueueSize: 2048, maxExportBatchSize: 512, scheduledDelayMillis: 600000, exportTimeoutMillis: 4000, ...batch }, retry);
  const memory = new InMemorySpanExporter();
  const copy = new SimpleSpanProcessor({ exporter: memory });
  const provider = new TracerProvider({ resource, spanProcessors: [processor, copy] });
  cleanups.push(async () => {
    await provider.shutdown();
    await collector.stop();
  });
  return { collector, processor, provider, memory, copy };
}

function makeSpans(s: Setup, n: number, prefix = 'span'): void {
  const tracer = s.provider.getTracer('kafkajs-tracing', '0.1.0');
  for (let i = 0; i < n; i++) tracer.startSpan(`${prefix} ${i}`, { kind: SpanKind.PRODUCER, attributes: { 'messaging.system': 'kafka', 'x.i': i } }).end();
}

async function ended(s: Setup): Promise<ReadableSpan[]> {
  await s.copy.forceFlush();
  return s.memory.getFinishedSpans();
}

const reference = (spans: ReadableSpan[]): Uint8Array => ProtobufTraceSerializer.serializeRequest(spans as Parameters<typeof ProtobufTraceSerializer.serializeRequest>[0]) as Uint8Array;

describe('OTLP/HTTP collector', () => {
  it('batches by count and posts protobuf bodies that decode to the reference encoding of the same spans, with the configured headers', async () => {
    const s = await setUp({ headers: { authorization: 'Bearer t0ken' } }, { maxExportBatchSize: 7 });
    makeSpans(s, 20);
    await s.processor.forceFlush();
    const spans = await ended(s);
    assert.equal(s.collector.bodies.length, 3, 'three bodies: 7, 7 and 6 spans');
    for (const [i, from] of [0, 7, 14].entries()) {
      assert.deepStrictEqual(decodeTraceRequest(s.collector.bodies[i] as Buffer), decodeTraceRequest(reference(spans.slice(from, from + 7))), `body ${i}`);
    }
    const headers = s.collector.headers[0];
    assert.equal(headers?.['content-type'], 'application/x-protobuf');
    assert.equal(headers?.authorization, 'Bearer t0ken');
    assert.equal(headers?.['content-encoding'], undefined);
    assert.equal(headers?.connection, 'keep-alive');
    assert.deepEqual(s.processor.stats(), { endedSpans: 20, exportedSpans: 20, failedSpans: 0, failedExports: 0, lostSpans: 0, resentSpans: 0, heldSpans: 0, heldBytes: 0, droppedSpans: 0, rejectedSpans: 0 });
  });

  it('sends a partial batch when the scheduled delay passes, and what is left at shutdown', async () => {
    const s = await setUp({}, { scheduledDelayMillis: 20 });
    makeSpans(s, 3, 'timer');
    while (s.collector.bodies.length === 0) await new Promise((r) => setTimeout(r, 10));
    assert.equal(s.collector.received('timer 2'), true);
    makeSpans(s, 2, 'late');
    await s.processor.shutdown();
    assert.equal(s.collector.received('late 1'), true, 'shutdown sent the rest');
    assert.equal(s.processor.stats().exportedSpans, 5);
  });

  it('gzip: the body is compressed and says so, and decompresses to the same request', async () => {
    const s = await setUp({ compression: 'gzip' });
    makeSpans(s, 10);
    await s.processor.forceFlush();
    const spans = await ended(s);
    assert.equal(s.collector.headers[0]?.['content-encoding'], 'gzip');
    const body = s.collector.bodies[0] as Buffer;
    assert.deepStrictEqual(decodeTraceRequest(gunzipSync(body)), decodeTraceRequest(reference(spans)));
  });

  it('429 with Retry-After: the body is held and sent again, not before the wait the collector asked for', async () => {
    const s = await setUp();
    s.collector.answers.push({ status: 429, headers: { 'retry-after': '1' } });
    makeSpans(s, 5);
    await s.processor.forceFlush(); // the first try: refused, held
    assert.equal(s.processor.stats().heldSpans, 5);
    // The client counts a delivery when the answer is back, a moment after the collector has the body.
    for (let t = 0; t < 200 && s.processor.stats().exportedSpans < 5; t++) await new Promise((r) => setTimeout(r, 50));
    const [first, second] = s.collector.requests as [number, number];
    // The backoff alone would resend after ~10 ms; the collector asked for a second.
    assert.ok(second - first >= 950, `resent ${second - first} ms after the 429`);
    assert.deepEqual({ ...s.processor.stats(), heldBytes: 0 }, { endedSpans: 5, exportedSpans: 5, failedSpans: 5, failedExports: 1, lostSpans: 0, resentSpans: 5, heldSpans: 0, heldBytes: 0, droppedSpans: 0, rejectedSpans: 0 });
  });

  for (const status of [502, 503, 504]) {
    it(`${status} is retryable: held and resent`, async () => {
      const s = await setUp();
      s.collector.answers.push({ status });
      makeSpans(s, 3);
      await s.processor.forceFlush();
      await s.processor.forceFlush(); // the resend, whatever the backoff
      assert.equal(s.collector.requests.length, 2);
      assert.equal(s.processor.stats().resentSpans, 3);
      assert.equal(s.processor.stats().lostSpans, 0);
    });
  }

  for (const status of [400, 401, 403, 404, 413, 500]) {
    it(`${status} is final: the spans are lost at once, not sent again, and the cause reported once`, async () => {
      const { errors, warnings } = captureDiag();
      const s = await setUp();
      s.collector.status = status;
      makeSpans(s, 4, 'first');
      await s.processor.forceFlush();
      makeSpans(s, 4, 'second');
      await s.processor.forceFlush();
      await s.processor.forceFlush();
      assert.equal(s.collector.requests.length, 2, 'each body tried once');
      assert.deepEqual(
        { lost: s.processor.stats().lostSpans, held: s.processor.stats().heldSpans, exported: s.processor.stats().exportedSpans },
        { lost: 8, held: 0, exported: 0 },
      );
      const reports = errors.filter((e) => e.includes(`HTTP ${status}`));
      assert.equal(reports.length, 1, errors.join('\n'));
      assert.match(reports[0] as string, /not sent again/);
      assert.deepEqual(warnings, [], 'said once, as an error, and not again as a warning');
    });
  }

  it('after a refused body the collector is not taken for down: the next batch goes out fresh', async () => {
    captureDiag();
    const s = await setUp();
    s.collector.answers.push({ status: 400 });
    makeSpans(s, 4, 'refused');
    await s.processor.forceFlush();
    makeSpans(s, 4, 'fine');
    await s.processor.forceFlush();
    const { lostSpans, exportedSpans, failedSpans, resentSpans, heldSpans } = s.processor.stats();
    assert.deepEqual({ lostSpans, exportedSpans, failedSpans, resentSpans, heldSpans }, { lostSpans: 4, exportedSpans: 4, failedSpans: 4, resentSpans: 0, heldSpans: 0 });
  });

  it('partial_success in a 200 answer: its rejected spans are counted, the message reported once', async () => {
    const { errors } = captureDiag();
    const s = await setUp();
    s.collector.answers.push({ status: 200, body: encodePartialSuccess(2, 'span name too long') }, { status: 200, body: encodePartialSuccess(3, 'again') });
    makeSpans(s, 5);
    await s.processor.forceFlush();
    makeSpans(s, 5);
    await s.processor.forceFlush();
    const stats = s.processor.stats();
    assert.equal(stats.rejectedSpans, 5);
    assert.equal(stats.exportedSpans, 10, 'the requests went through');
    const reports = errors.filter((e) => e.includes('rejected'));
    assert.equal(reports.length, 1);
    assert.match(reports[0] as string, /rejected 2 of its spans: span name too long/);
  });

  it('an empty partial_success (no rejection) is no rejection', async () => {
    const { errors } = captureDiag();
    const s = await setUp();
    s.collector.answers.push({ status: 200, body: encodePartialSuccess(0, '') });
    makeSpans(s, 2);
    await s.processor.forceFlush();
    assert.equal(s.processor.stats().rejectedSpans, 0);
    assert.deepEqual(errors, []);
  });

  it('collector down: network failures are retryable, the spans held, then delivered when it is back', async () => {
    const s = await setUp();
    const port = s.collector.port;
    await s.collector.stop();
    makeSpans(s, 6);
    await s.processor.forceFlush();
    assert.equal(s.processor.stats().heldSpans, 6);
    const back = new Collector(port);
    await back.start();
    cleanups.push(() => back.stop());
    await s.processor.forceFlush();
    assert.equal(back.bodies.length, 1);
    assert.equal(s.processor.stats().resentSpans, 6);
  });
});

describe('OTLP/HTTP collector over TLS', () => {
  let pki: TlsFixture;
  before(() => {
    pki = makeTlsFixture();
  });
  after(() => pki.remove());
  const serverTls = (mutual: boolean): CollectorTls => ({ key: pki.read(pki.serverKeyFile), cert: pki.read(pki.serverCertFile), clientCa: mutual ? pki.read(pki.caFile) : undefined });

  it('https with a private CA named by OTEL_EXPORTER_OTLP_CERTIFICATE', async () => {
    process.env.OTEL_EXPORTER_OTLP_CERTIFICATE = pki.caFile;
    cleanups.push(async () => void delete process.env.OTEL_EXPORTER_OTLP_CERTIFICATE);
    const s = await setUp({}, {}, {}, serverTls(false));
    makeSpans(s, 3);
    await s.processor.forceFlush();
    assert.equal(s.collector.bodies.length, 1);
    assert.equal(s.processor.stats().exportedSpans, 3);
  });

  it('mutual TLS with the client certificate and key of the _TRACES_ variables', async () => {
    Object.assign(process.env, { OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE: pki.caFile, OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE: pki.clientCertFile, OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY: pki.clientKeyFile });
    cleanups.push(async () => {
      for (const v of ['CERTIFICATE', 'CLIENT_CERTIFICATE', 'CLIENT_KEY']) delete process.env[`OTEL_EXPORTER_OTLP_TRACES_${v}`];
    });
    const s = await setUp({}, {}, {}, serverTls(true));
    makeSpans(s, 3);
    await s.processor.forceFlush();
    assert.equal(s.collector.bodies.length, 1);
    assert.equal(s.processor.stats().exportedSpans, 3);
  });

  it('mutual TLS with options given as contents (Buffers)', async () => {
    const s = await setUp({ tls: { ca: pki.read(pki.caFile), cert: pki.read(pki.clientCertFile), key: pki.read(pki.clientKeyFile) } }, {}, {}, serverTls(true));
    makeSpans(s, 2);
    await s.processor.forceFlush();
    assert.equal(s.processor.stats().exportedSpans, 2);
  });

  it('a wrong CA fails clearly: reported once through diag, the spans lost, never retried', async () => {
    const { errors } = captureDiag();
    const s = await setUp({ tls: { ca: pki.otherCaFile } }, {}, {}, serverTls(false));
    makeSpans(s, 3);
    await s.processor.forceFlush();
    makeSpans(s, 3);
    await s.processor.forceFlush();
    await s.processor.forceFlush();
    const stats = s.processor.stats();
    assert.deepEqual({ lost: stats.lostSpans, held: stats.heldSpans, exported: stats.exportedSpans }, { lost: 6, held: 0, exported: 0 });
    assert.equal(s.collector.requests.length, 0, 'no request got through the handshake');
    const reports = errors.filter((e) => e.includes('TLS failed'));
    assert.equal(reports.length, 1, errors.join('\n'));
    assert.match(reports[0] as string, /certificate|CERT/i);
  });

  it('a TLS file that cannot be read: reported through diag, no exporter', () => {
    const { errors } = captureDiag();
    assert.equal(otlpHttpConfig({ url: 'https://127.0.0.1:4318/v1/traces', tls: { ca: '/nonexistent/ca.pem' } }), undefined);
    assert.match(errors[0] ?? '', /not started.*\/nonexistent\/ca\.pem/);
    assert.equal(otlpHttpConfig({ url: 'https://127.0.0.1:4318/v1/traces', tls: { cert: pki.clientCertFile } }), undefined, 'a certificate without its key');
    assert.match(errors[1] ?? '', /both a client certificate and its key/);
  });
});
