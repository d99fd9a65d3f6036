// The consumer middleware's eachMessage path over a stand-in consumer.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SpanKind, SpanStatusCode, propagation, trace } from '@opentelemetry/api';
import type { EachMessagePayload, KafkaMessage } from 'kafkajs';
import { instrumentConsumer, type ConsumerInstrumentationOptions } from '../../../src/index';
import { fakeConsumer, kafkaMessage, memoryTracing } from '../memory-tracing';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const PARENT = 'b7ad6b7169203331';
const TRACEPARENT = `00-${TRACE}-${PARENT}-01`;

async function consume(message: KafkaMessage, extra: ConsumerInstrumentationOptions = {}, handler?: (p: EachMessagePayload) => Promise<void>) {
  const t = memoryTracing();
  const f = fakeConsumer();
  const seen: { payload: EachMessagePayload; activeSpanId?: string; baggage?: string }[] = [];
  const consumer = instrumentConsumer(f.consumer, { ...t.options, ...extra });
  await consumer.run({
    eachMessage: async (payload) => {
      seen.push({
        payload,
        activeSpanId: trace.getActiveSpan()?.spanContext().spanId,
        baggage: propagation.getActiveBaggage()?.getEntry('tenant')?.value,
      });
      await handler?.(payload);
    },
  });
  const payload = { topic: 'orders', partition: 3, message, heartbeat: async () => undefined, pause: () => () => undefined } as EachMessagePayload;
  let error: unknown;
  try {
    await f.last()?.eachMessage?.(payload);
  } catch (err) {
    error = err;
  }
  return { t, seen, payload, error, span: t.spans()[0] };
}

describe('instrumentConsumer: eachMessage', () => {
  it('runs the handler in a CONSUMER "process <topic>" span, child of the producer span', async () => {
    const r = await consume(kafkaMessage({ traceparent: Buffer.from(TRACEPARENT) }), { groupId: 'billing' });
    assert.equal(r.span?.name, 'process orders');
    assert.equal(r.span?.kind, SpanKind.CONSUMER);
    assert.equal(r.span?.spanContext().traceId, TRACE);
    assert.equal(r.span?.parentSpanContext?.spanId, PARENT);
    assert.deepEqual(r.span?.links, [], 'no duplicate link to the parent by default');
    assert.equal(r.seen.length, 1);
    assert.equal(r.seen[0]?.payload, r.payload, 'the handler receives the very same payload');
    assert.equal(r.seen[0]?.activeSpanId, r.span?.spanContext().spanId, 'the process span is active in the handler');
    const a = r.span?.attributes ?? {};
    assert.equal(a['messaging.destination.partition.id'], '3');
    assert.equal(a['messaging.kafka.offset'], 5);
    assert.equal(a['messaging.consumer.group.name'], 'billing');
    assert.equal(a['messaging.operation.type'], 'process');
    assert.ok((a['messaging.kafka.message.end_to_end_latency_ms'] as number) >= 10);
  });

  it('links to the parent too with linkToParent', async () => {
    const r = await consume(kafkaMessage({ traceparent: TRACEPARENT }), { linkToParent: true });
    assert.deepEqual(r.span?.links.map((l) => l.context.spanId), [PARENT]);
  });

  it('reads string, Buffer, array and mixed-case headers', async () => {
    for (const headers of [{ traceparent: TRACEPARENT }, { traceparent: [Buffer.from(TRACEPARENT)] }, { TraceParent: TRACEPARENT }]) {
      const r = await consume(kafkaMessage(headers));
      assert.equal(r.span?.parentSpanContext?.spanId, PARENT, JSON.stringify(headers));
    }
  });

  it('records a thrown error and rethrows the same error; the span still ends', async () => {
    const boom = new SyntaxError('bad json');
    const r = await consume(kafkaMessage({ traceparent: TRACEPARENT }), {}, async () => {
      throw boom;
    });
    assert.equal(r.error, boom);
    assert.equal(r.span?.status.code, SpanStatusCode.ERROR);
    assert.equal(r.span?.attributes['error.type'], 'SyntaxError');
    assert.equal(r.t.spans().length, 1, 'ended');
  });

  it('no or malformed trace headers: a new root span, handler called once', async () => {
    for (const headers of [undefined, {}, { traceparent: 'ff-' + TRACE + '-' + PARENT + '-01' }, { traceparent: `00-${'0'.repeat(32)}-${PARENT}-01` }]) {
      const r = await consume(kafkaMessage(headers as KafkaMessage['headers']));
      assert.equal(r.seen.length, 1);
      assert.equal(r.span?.parentSpanContext, undefined, JSON.stringify(headers));
    }
  });

  it('untrusted upstream: a new trace with only a link, and no upstream baggage', async () => {
    const headers = { traceparent: TRACEPARENT, baggage: 'tenant=acme' };
    const trusted = await consume(kafkaMessage(headers));
    assert.equal(trusted.seen[0]?.baggage, 'acme', 'trusted: baggage visible in the handler');
    for (const trustUpstream of [false, (topic: string) => topic !== 'orders']) {
      const r = await consume(kafkaMessage(headers), { trustUpstream });
      assert.notEqual(r.span?.spanContext().traceId, TRACE, 'a new trace');
      assert.equal(r.span?.parentSpanContext, undefined);
      assert.deepEqual(r.span?.links.map((l) => l.context.spanId), [PARENT]);
      assert.equal(r.seen[0]?.baggage, undefined, 'untrusted: baggage dropped');
    }
  });

  it('hooks are called, and a throwing hook is harmless; instrumenting twice gives one span', async () => {
    const calls: number[] = [];
    const consumerHook = (_s: unknown, info: { partition: number }) => {
      calls.push(info.partition);
      throw new Error('hook bug');
    };
    const t = memoryTracing();
    const f = fakeConsumer();
    const consumer = instrumentConsumer(instrumentConsumer(f.consumer, { ...t.options, consumerHook }), { ...t.options, consumerHook });
    let handled = 0;
    await consumer.run({ eachMessage: async () => void handled++ });
    await f.last()?.eachMessage?.({ topic: 'x', partition: 1, message: kafkaMessage(), heartbeat: async () => undefined, pause: () => () => undefined });
    assert.equal(handled, 1);
    assert.deepEqual(calls, [1]);
    assert.equal(t.spans().length, 1);
  });

  it('run() without a config passes through', async () => {
    const f = fakeConsumer();
    await instrumentConsumer(f.consumer).run();
    assert.deepEqual(f.runs, [undefined]);
  });
});
