// Opt-in reading of older trace headers when no W3C traceparent is present.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { context, propagation } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Consumer, ConsumerRunConfig, EachMessagePayload, IHeaders, KafkaMessage } from 'kafkajs';
import { instrumentConsumer, type LegacyFormat } from '../../../src/index';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

/** `ownW3c`: no `propagator` option, so the package's own W3C propagator reads the headers (directly, in one pass). */
async function parentOf(headers: IHeaders, legacyFormats?: LegacyFormat[], ownW3c = false) {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  let config: ConsumerRunConfig | undefined;
  const fake = { run: async (c?: ConsumerRunConfig) => void (config = c) } as unknown as Consumer;
  instrumentConsumer(fake, { tracerProvider: provider, ...(ownW3c ? {} : { propagator: new W3CTraceContextPropagator() }), legacyFormats });
  await fake.run({ eachMessage: async () => undefined });
  const message = { key: null, value: null, timestamp: '0', attributes: 0, offset: '0', headers } as KafkaMessage;
  await config?.eachMessage?.({ topic: 't', partition: 0, message } as unknown as EachMessagePayload);
  const [span] = exporter.getFinishedSpans();
  return span?.parentSpanContext ? { traceId: span.spanContext().traceId, spanId: span.parentSpanContext.spanId } : undefined;
}

/** The baggage the handler sees for a message with these headers (W3C trace context + baggage first). */
async function baggageInHandler(headers: IHeaders, legacyFormats: LegacyFormat[], ownW3c = false): Promise<Map<string, string>> {
  const provider = new BasicTracerProvider();
  let config: ConsumerRunConfig | undefined;
  const fake = { run: async (c?: ConsumerRunConfig) => void (config = c) } as unknown as Consumer;
  const propagator = new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] });
  instrumentConsumer(fake, { tracerProvider: provider, ...(ownW3c ? {} : { propagator }), legacyFormats });
  const seen = new Map<string, string>();
  await fake.run({
    eachMessage: async () => {
      for (const [k, e] of propagation.getActiveBaggage()?.getAllEntries() ?? []) seen.set(k, e.value);
    },
  });
  const message = { key: null, value: null, timestamp: '0', attributes: 0, offset: '0', headers } as KafkaMessage;
  await config?.eachMessage?.({ topic: 't', partition: 0, message } as unknown as EachMessagePayload);
  return seen;
}

describe('legacy trace header formats', () => {
  const all: LegacyFormat[] = ['jaeger', 'b3', 'hex'];

  it('are ignored unless opted into', async () => {
    assert.equal(await parentOf({ 'uber-trace-id': `${TRACE}:${SPAN}:0:1` }), undefined);
  });

  it('reads uber-trace-id (Jaeger clients)', async () => {
    assert.deepEqual(await parentOf({ 'uber-trace-id': Buffer.from(`${TRACE}:${SPAN}:0:1`) }, all), { traceId: TRACE, spanId: SPAN });
  });

  it('reads B3 single and multi header', async () => {
    assert.deepEqual(await parentOf({ b3: `${TRACE}-${SPAN}-1` }, ['b3']), { traceId: TRACE, spanId: SPAN });
    assert.deepEqual(await parentOf({ 'X-B3-TraceId': TRACE, 'X-B3-SpanId': SPAN, 'X-B3-Sampled': '1' }, ['b3']), { traceId: TRACE, spanId: SPAN });
  });

  it('reads plain trace_id/span_id hex headers, padding 64-bit trace ids', async () => {
    assert.deepEqual(await parentOf({ trace_id: TRACE, span_id: SPAN }, ['hex']), { traceId: TRACE, spanId: SPAN });
    assert.deepEqual(await parentOf({ trace_id: 'a3ce929d0e0e4736', span_id: SPAN }, ['hex']), { traceId: `${'0'.repeat(16)}a3ce929d0e0e4736`, spanId: SPAN });
    assert.equal(await parentOf({ trace_id: 'xyz', span_id: SPAN }, ['hex']), undefined);
    assert.equal(await parentOf({ trace_id: '0'.repeat(32), span_id: SPAN }, ['hex']), undefined);
  });

  it('prefers a valid traceparent over any legacy header', async () => {
    const w3c = '0af7651916cd43dd8448eb211c80319c';
    const got = await parentOf({ traceparent: `00-${w3c}-b7ad6b7169203331-01`, 'uber-trace-id': `${TRACE}:${SPAN}:0:1` }, all);
    assert.deepEqual(got, { traceId: w3c, spanId: 'b7ad6b7169203331' });
  });

  // Defect 2: with legacyFormats on, a message without a valid traceparent lost its W3C baggage.
  it("keep the message's W3C baggage, with or without a legacy span context", async () => {
    for (const [headers, formats] of [
      [{ baggage: 'tenant=acme' }, all],
      [{ baggage: 'tenant=acme' }, ['b3']],
      [{ baggage: 'tenant=acme', b3: `${TRACE}-${SPAN}-1` }, ['b3']],
      [{ baggage: 'tenant=acme', 'uber-trace-id': `${TRACE}:${SPAN}:0:1`, 'uberctx-region': 'eu' }, ['jaeger']],
    ] as [IHeaders, LegacyFormat[]][]) {
      const bag = await baggageInHandler(headers, formats);
      assert.equal(bag.get('tenant'), 'acme', JSON.stringify(headers));
      if (headers['uberctx-region']) assert.equal(bag.get('region'), 'eu', 'and the Jaeger baggage beside it');
    }
  });

  it('work the same when the package’s own W3C propagator reads the headers directly', async () => {
    assert.deepEqual(await parentOf({ 'uber-trace-id': `${TRACE}:${SPAN}:0:1` }, all, true), { traceId: TRACE, spanId: SPAN });
    assert.deepEqual(await parentOf({ b3: `${TRACE}-${SPAN}-1` }, ['b3'], true), { traceId: TRACE, spanId: SPAN });
    assert.equal(await parentOf({ 'uber-trace-id': `${TRACE}:${SPAN}:0:1` }, undefined, true), undefined, 'still opt-in');
    const w3c = '0af7651916cd43dd8448eb211c80319c';
    assert.deepEqual(await parentOf({ traceparent: `00-${w3c}-b7ad6b7169203331-01`, b3: `${TRACE}-${SPAN}-1` }, all, true), { traceId: w3c, spanId: 'b7ad6b7169203331' });
    const bag = await baggageInHandler({ baggage: 'tenant=acme', 'uber-trace-id': `${TRACE}:${SPAN}:0:1`, 'uberctx-region': 'eu' }, ['jaeger'], true);
    assert.deepEqual([bag.get('tenant'), bag.get('region')], ['acme', 'eu']);
  });

  // Defect 7: 16,000 uberctx-* headers took 18.6 s and put 16,000 entries into the handler's context.
  it('read at most 180 baggage entries from uberctx-* headers, in one pass', async () => {
    const headers: IHeaders = { 'uber-trace-id': `${TRACE}:${SPAN}:0:1`, baggage: 'tenant=acme' };
    for (let i = 0; i < 16_000; i++) headers[`uberctx-k${i}`] = `v${i}`;
    const bag = await baggageInHandler(headers, ['jaeger']);
    assert.equal(bag.size, 180, 'the W3C entry and 179 of Jaeger’s');
    assert.equal(bag.get('tenant'), 'acme');
    assert.equal(bag.get('k0'), 'v0');
    assert.equal(bag.has('k179'), false);
  });

  it('rejects an unknown format with a clear error', () => {
    const fake = { run: async () => undefined } as unknown as Consumer;
    assert.throws(() => instrumentConsumer(fake, { legacyFormats: ['zipkin-v0' as LegacyFormat] }), /unknown legacy trace header format: zipkin-v0/);
  });
});
