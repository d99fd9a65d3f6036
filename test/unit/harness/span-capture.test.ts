// SpanCapture: spans of a real SDK provider, made by the middleware over stand-in kafkajs clients,
// read back through the same harness functions that read Jaeger (waitForTrace, expectChain,
// renderTrace), with no Jaeger anywhere.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SpanStatusCode, type TracerProvider } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { EachMessagePayload, KafkaMessage } from 'kafkajs';
import { instrumentConsumer, instrumentProducer } from '../../../src/index';
import { SpanCapture, expectChain, renderTrace, waitForTrace } from '../../../src/harness/index';
import { fakeConsumer, fakeProducer, kafkaMessage, memoryTracing } from '../memory-tracing';

const { propagator } = memoryTracing();

function service(name: string, capture: SpanCapture): BasicTracerProvider {
  return new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': name, 'host.name': 'ci' }), spanProcessors: [new SimpleSpanProcessor(capture)] });
}

/** Delivers what a stand-in producer sent to a stand-in consumer's eachMessage, as the broker would. */
async function deliver(consumer: ReturnType<typeof fakeConsumer>, topic: string, message: KafkaMessage): Promise<void> {
  const payload = { topic, partition: 0, message, heartbeat: async () => undefined, pause: () => () => undefined } as EachMessagePayload;
  await consumer.last()?.eachMessage?.(payload);
}

const sentHeaders = (p: ReturnType<typeof fakeProducer>): KafkaMessage['headers'] => p.sent.at(-1)?.messages[0]?.headers as KafkaMessage['headers'];

/** checkout → orders → payments → payments → notifications, each service on its own provider. */
async function pipeline(capture: SpanCapture, failIn?: 'notifications'): Promise<string> {
  const providers: Record<string, TracerProvider> = { checkout: service('checkout', capture), payments: service('payments', capture), notifications: service('notifications', capture) };
  const checkout = fakeProducer();
  const payOut = fakeProducer();
  const payIn = fakeConsumer();
  const notifyIn = fakeConsumer();
  await instrumentConsumer(payIn.consumer, { tracerProvider: providers.payments, propagator, groupId: 'payments' }).run({
    eachMessage: async () => {
      await instrumentProducer(payOut.producer, { tracerProvider: providers.payments, propagator }).send({ topic: 'payments', messages: [{ value: 'paid' }] });
    },
  });
  await instrumentConsumer(notifyIn.consumer, { tracerProvider: providers.notifications, propagator, groupId: 'notifications' }).run({
    eachMessage: async () => {
      if (failIn) throw new Error('mail server down');
    },
  });
  await instrumentProducer(checkout.producer, { tracerProvider: providers.checkout, propagator }).send({ topic: 'orders', messages: [{ key: 'o-1', value: '{}' }] });
  await deliver(payIn, 'orders', kafkaMessage(sentHeaders(checkout)));
  await deliver(notifyIn, 'payments', kafkaMessage(sentHeaders(payOut))).catch(() => undefined);
  const traceparent = String(sentHeaders(checkout)?.traceparent);
  return traceparent.split('-')[1] as string;
}

describe('SpanCapture: the harness without Jaeger', () => {
  it('is an SDK SpanExporter by shape (compile-time) and reports success', () => {
    const capture: SpanExporter = new SpanCapture();
    let code: number | undefined;
    capture.export([], (r) => (code = r.code));
    assert.equal(code, 0);
  });

  it('serves a captured chain to waitForTrace, expectChain and renderTrace', async () => {
    const capture = new SpanCapture();
    const traceId = await pipeline(capture);
    const trace = await waitForTrace(capture, traceId, { minSpans: 4, timeoutMs: 1000, intervalMs: 10 });
    assert.equal(trace.traceId, traceId);
    assert.equal(trace.spans.length, 4);
    expectChain(trace, [
      { name: 'send orders', kind: 'producer', service: 'checkout' },
      { name: 'process orders', kind: 'consumer', service: 'payments' },
      { name: 'send payments', kind: 'producer', service: 'payments' },
      { name: 'process payments', kind: 'consumer', service: 'notifications' },
    ]);
    const text = renderTrace(trace, { barWidth: 0 });
    for (const line of ['checkout', 'payments', 'notifications', 'process payments']) assert.match(text, new RegExp(line));
    const consume = trace.spans.find((s) => s.name === 'process orders');
    assert.equal(consume?.tags['messaging.consumer.group.name'], 'payments');
    assert.equal(consume?.tags['messaging.kafka.message.key'], 'k');
    assert.equal(consume?.tags['messaging.kafka.offset'], 5, 'numbers stay numbers, as Jaeger returns int64 tags');
    assert.equal(trace.raw.processes[trace.raw.spans[0]?.processID ?? '']?.tags?.some((t) => t.key === 'host.name' && t.value === 'ci'), true, 'resource attributes become process tags');
  });

  it('marks a failed span as an error and keeps its exception event', async () => {
    const capture = new SpanCapture();
    const traceId = await pipeline(capture, 'notifications');
    const trace = capture.trace(traceId);
    const failed = trace?.spans.find((s) => s.name === 'process payments');
    assert.equal(failed?.error, true);
    assert.equal(failed?.tags['otel.status_code'], 'ERROR');
    assert.equal(trace?.spans.filter((s) => s.error).length, 1, 'only the failed span is an error');
    const raw = trace?.raw.spans.find((s) => s.operationName === 'process payments');
    assert.ok(raw?.logs?.some((l) => l.fields.some((f) => f.key === 'event' && f.value === 'exception')));
  });

  it('keeps links as FOLLOWS_FROM references (an untrusted consumer starts a new trace)', async () => {
    const capture = new SpanCapture();
    const provider = service('edge', capture);
    const consumer = fakeConsumer();
    await instrumentConsumer(consumer.consumer, { tracerProvider: provider, propagator, trustUpstream: false }).run({ eachMessage: async () => undefined });
    const upstream = '0af7651916cd43dd8448eb211c80319c';
    await deliver(consumer, 'orders', kafkaMessage({ traceparent: `00-${upstream}-b7ad6b7169203331-01` }));
    const [trace] = capture.traces();
    assert.notEqual(trace?.traceId, upstream);
    assert.deepEqual(trace?.spans[0]?.links, [{ traceId: upstream, spanId: 'b7ad6b7169203331' }]);
    expectChain(trace as NonNullable<typeof trace>, ['process orders']);
  });

  it('waitForTrace times out on a trace never captured, without a Jaeger link', async () => {
    const capture = new SpanCapture();
    await assert.rejects(waitForTrace(capture, 'ffffffffffffffffffffffffffffffff', { timeoutMs: 30, intervalMs: 10 }), (err: Error) => {
      assert.match(err.message, /no such trace/);
      assert.doesNotMatch(err.message, /http/);
      return true;
    });
  });

  it('reset() forgets every span; spans stay readable after the provider shut down', async () => {
    const capture = new SpanCapture();
    const provider = service('svc', capture);
    provider.getTracer('t').startSpan('x').setStatus({ code: SpanStatusCode.OK }).end();
    await provider.shutdown();
    assert.equal(capture.traces().length, 1);
    assert.equal(capture.traces()[0]?.spans[0]?.tags['otel.status_code'], 'OK');
    capture.reset();
    assert.deepEqual(capture.traces(), []);
  });
});
