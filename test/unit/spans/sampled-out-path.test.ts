// The sampled-out path through startTracing's provider: a message nobody samples carries its trace
// id and flags on, through a non-recording span, and the application sees exactly what it would
// untraced (results, errors, the message's context in the handler), with nothing exported.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { trace } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import type { EachMessagePayload } from 'kafkajs';
import { instrumentConsumer, instrumentProducer } from '../../../src/index';
import { startTracing } from '../../../src/setup/index';
import { fakeConsumer, fakeProducer, kafkaMessage } from '../memory-tracing';

const UNSAMPLED = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00';

function unsampledTracing() {
  const spans: ReadableSpan[] = [];
  const exporter: SpanExporter = {
    export: (s: ReadableSpan[], done: (r: ExportResult) => void) => {
      spans.push(...s);
      done({ code: ExportResultCode.SUCCESS });
    },
    shutdown: () => Promise.resolve(),
  };
  const tracing = startTracing({ exporter, register: false, metrics: false, sampleRatio: 0 });
  return { tracing, spans, options: { tracerProvider: tracing.provider } };
}

describe('sampled-out messages', () => {
  it('produce: the message carries a new span id and flags 00; the result and errors are the client’s own', async () => {
    const t = unsampledTracing();
    const p = fakeProducer();
    const producer = instrumentProducer(p.producer, t.options);
    const result = await producer.send({ topic: 'orders', messages: [{ value: 'v' }] });
    assert.deepEqual(result, [{ topicName: 'orders', partition: 2, errorCode: 0, baseOffset: '41' }]);
    const header = String(p.sent[0]?.messages[0]?.headers?.traceparent);
    assert.match(header, /^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    const failure = new Error('down');
    p.state.failWith = failure;
    await assert.rejects(producer.send({ topic: 'orders', messages: [{ value: 'v' }] }), (err) => err === failure);
    await t.tracing.shutdown();
    assert.equal(t.spans.length, 0, 'nothing exported');
  });

  it('consume: the handler runs in the message’s trace (not sampled), its errors and results pass unchanged', async () => {
    const t = unsampledTracing();
    const c = fakeConsumer();
    const failure = new TypeError('bad');
    let seen: string | undefined;
    let fail = false;
    await instrumentConsumer(c.consumer, t.options).run({
      eachMessage: async () => {
        const sc = trace.getActiveSpan()?.spanContext();
        seen = `${sc?.traceId}/${sc?.traceFlags}/${String(trace.getActiveSpan()?.isRecording())}`;
        if (fail) throw failure;
      },
    });
    const payload = { topic: 'orders', partition: 0, message: kafkaMessage({ traceparent: UNSAMPLED }), heartbeat: async () => undefined, pause: () => () => undefined } as unknown as EachMessagePayload;
    await c.last()?.eachMessage?.(payload);
    assert.equal(seen, '0af7651916cd43dd8448eb211c80319c/0/false');
    fail = true;
    await assert.rejects(Promise.resolve(c.last()?.eachMessage?.(payload)), (err) => err === failure);
    await t.tracing.shutdown();
    assert.equal(t.spans.length, 0, 'nothing exported');
  });

  it('consume then produce: the handler’s message carries the pipeline one hop on, read only when it produces', async () => {
    const t = unsampledTracing();
    const c = fakeConsumer();
    const p = fakeProducer();
    const producer = instrumentProducer(p.producer, t.options);
    await instrumentConsumer(c.consumer, t.options).run({
      eachMessage: async ({ message }) => {
        if (String(message.key) === 'forward') await producer.send({ topic: 'shipments', messages: [{ value: 'v' }] });
      },
    });
    const payload = (key: string, headers: Record<string, string>) =>
      ({ topic: 'orders', partition: 0, message: { ...kafkaMessage(headers), key: Buffer.from(key), timestamp: '1765000000000' }, heartbeat: async () => undefined, pause: () => () => undefined }) as unknown as EachMessagePayload;
    await c.last()?.eachMessage?.(payload('forward', { traceparent: UNSAMPLED }));
    await c.last()?.eachMessage?.(payload('forward', { traceparent: UNSAMPLED, tracestate: 'kjt=mi0x4s2o:3:entry' }));
    await c.last()?.eachMessage?.(payload('forward', { traceparent: UNSAMPLED, tracestate: 'kjt=garbage' }));
    await c.last()?.eachMessage?.(payload('keep', { traceparent: UNSAMPLED }));
    const states = p.sent.map((r) => r.messages[0]?.headers?.tracestate);
    assert.deepEqual(states, [`kjt=${(1765000000000).toString(36)}:2:orders`, 'kjt=mi0x4s2o:4:entry', undefined], 'hop 1 from the record, a carried origin one hop on, a malformed one dropped');
    for (const r of p.sent) assert.match(String(r.messages[0]?.headers?.traceparent), /^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-00$/);
    await t.tracing.shutdown();
  });
});
