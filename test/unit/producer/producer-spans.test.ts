// The producer middleware over a stand-in producer: spans, headers, acks, errors, idempotence.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { Kafka } from 'kafkajs';
import { MAX_KEY_LENGTH, instrumentProducer } from '../../../src/index';
import { fakeProducer, memoryTracing } from '../memory-tracing';

const ids = (traceparent: unknown) => {
  const [, traceId, spanId] = String(traceparent).split('-');
  return { traceId, spanId };
};

describe('instrumentProducer', () => {
  it('one message: a PRODUCER "send <topic>" span whose context the message carries', async () => {
    const t = memoryTracing();
    const f = fakeProducer();
    const producer = instrumentProducer(f.producer, t.options);
    const result = await producer.send({ topic: 'orders', messages: [{ key: 'order-7', value: 'hello' }] });
    assert.deepEqual(result, [{ topicName: 'orders', partition: 2, errorCode: 0, baseOffset: '41' }], 'kafkajs result returned unchanged');
    const [span] = t.spans();
    assert.equal(t.spans().length, 1);
    assert.equal(span?.name, 'send orders');
    assert.equal(span?.kind, SpanKind.PRODUCER);
    const headers = f.sent[0]?.messages[0]?.headers ?? {};
    assert.deepEqual(ids(headers.traceparent), { traceId: span?.spanContext().traceId, spanId: span?.spanContext().spanId });
    assert.deepEqual(span?.attributes, {
      'messaging.system': 'kafka',
      'messaging.operation.name': 'send',
      'messaging.operation.type': 'send',
      'messaging.destination.name': 'orders',
      'messaging.kafka.message.key': 'order-7',
      'messaging.message.body.size': 5,
      'messaging.destination.partition.id': '2',
      'messaging.kafka.offset': 41,
    });
  });

  it('several messages: one send span, and a create span per message that the message carries', async () => {
    const t = memoryTracing();
    const f = fakeProducer();
    await instrumentProducer(f.producer, t.options).send({ topic: 'orders', messages: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] });
    const [send] = t.named('send orders');
    const creates = t.named('create orders');
    assert.equal(creates.length, 3);
    assert.equal(send?.attributes['messaging.batch.message_count'], 3);
    for (const [i, m] of (f.sent[0]?.messages ?? []).entries()) {
      const create = creates.find((c) => c.spanContext().spanId === ids(m.headers?.traceparent).spanId);
      assert.ok(create, `message ${i} carries its own create span`);
      assert.equal(create.parentSpanContext?.spanId, send?.spanContext().spanId);
      assert.equal(create.kind, SpanKind.PRODUCER);
      assert.equal(create.attributes['messaging.operation.type'], 'create');
    }
  });

  it('sendBatch over two topics: a "send" span and per-message create spans per topic', async () => {
    const t = memoryTracing();
    const f = fakeProducer();
    await instrumentProducer(f.producer, t.options).sendBatch({
      topicMessages: [
        { topic: 'a', messages: [{ value: '1' }] },
        { topic: 'b', messages: [{ value: '2' }, { value: '3' }] },
      ],
    });
    assert.equal(t.named('send').length, 1, 'no topic in the name when a call spans topics');
    assert.equal(t.named('create a').length, 1);
    assert.equal(t.named('create b').length, 2);
    const headerSpanIds = (f.batches[0]?.topicMessages ?? []).flatMap((g) => g.messages.map((m) => ids(m.headers?.traceparent).spanId));
    assert.equal(new Set(headerSpanIds).size, 3, 'every message has its own span context');
  });

  it('keeps user headers, replaces a stale traceparent (any case) and links to it; never mutates the caller', async () => {
    const t = memoryTracing();
    const f = fakeProducer();
    const stale = '00-11111111111111111111111111111111-2222222222222222-01';
    const message = { value: 'x', headers: { Traceparent: stale, 'x-user': 'kept' } };
    await instrumentProducer(f.producer, t.options).send({ topic: 'dlq', messages: [message] });
    assert.deepEqual(message.headers, { Traceparent: stale, 'x-user': 'kept' }, 'caller object untouched');
    const headers = f.sent[0]?.messages[0]?.headers ?? {};
    assert.equal(headers['x-user'], 'kept');
    assert.equal(headers.Traceparent, undefined);
    const [span] = t.spans();
    assert.equal(ids(headers.traceparent).spanId, span?.spanContext().spanId);
    assert.notEqual(span?.spanContext().traceId, '11111111111111111111111111111111', 'the new hop is not parented by the stale context');
    assert.deepEqual(span?.links.map((l) => l.context.spanId), ['2222222222222222'], 'the stale context is kept as a link');
  });

  it('a send inside an active span is its child', async () => {
    const t = memoryTracing();
    const f = fakeProducer();
    const producer = instrumentProducer(f.producer, t.options);
    const parent = t.provider.getTracer('test').startSpan('handler');
    await context.with(trace.setSpan(context.active(), parent), () => producer.send({ topic: 'o', messages: [{ value: 'x' }] }));
    parent.end();
    assert.equal(t.named('send o')[0]?.parentSpanContext?.spanId, parent.spanContext().spanId);
  });

  it('a failed send: exception, ERROR status, error.type on the span, and the same error to the caller', async () => {
    const t = memoryTracing();
    const f = fakeProducer();
    const boom = new RangeError('broker unavailable');
    f.state.failWith = boom;
    await assert.rejects(instrumentProducer(f.producer, t.options).send({ topic: 'o', messages: [{ value: 'x' }] }), (err) => err === boom);
    const [span] = t.spans();
    assert.equal(span?.status.code, SpanStatusCode.ERROR);
    assert.equal(span?.attributes['error.type'], 'RangeError');
    assert.equal(span?.events[0]?.name, 'exception');
  });

  it('keys: strings capped, binary Buffers never, none when opted out; tombstones marked', async () => {
    const t = memoryTracing();
    const f = fakeProducer();
    const p = instrumentProducer(f.producer, t.options);
    await p.send({ topic: 'k', messages: [{ key: 'x'.repeat(MAX_KEY_LENGTH + 50), value: null }] });
    await p.send({ topic: 'k', messages: [{ key: Buffer.from([0xff, 0x00, 0x17]), value: 'v' }] });
    const [long, buf] = t.spans();
    assert.equal((long?.attributes['messaging.kafka.message.key'] as string).length, MAX_KEY_LENGTH);
    assert.equal(long?.attributes['messaging.kafka.message.tombstone'], true);
    assert.equal(buf?.attributes['messaging.kafka.message.key'], undefined);
    const t2 = memoryTracing();
    await instrumentProducer(fakeProducer().producer, { ...t2.options, captureMessageKey: false }).send({ topic: 'k', messages: [{ key: 'k1', value: 'v' }] });
    assert.equal(t2.spans()[0]?.attributes['messaging.kafka.message.key'], undefined);
  });

  it('is idempotent, calls hooks safely, and traces transactions', async () => {
    const t = memoryTracing();
    const f = fakeProducer();
    const hooked: string[] = [];
    const opts = { ...t.options, producerHook: (_s: unknown, info: { topic: string }) => { hooked.push(info.topic); throw new Error('hook bug'); } };
    const producer = instrumentProducer(instrumentProducer(f.producer, opts), opts);
    await producer.send({ topic: 'h', messages: [{ value: 'x' }] });
    assert.equal(t.spans().length, 1, 'one span although instrumented twice');
    assert.deepEqual(hooked, ['h'], 'hook called once, its error swallowed');
    const tx = await producer.transaction();
    await tx.send({ topic: 'tx', messages: [{ value: 'y' }] });
    assert.equal(t.named('send tx').length, 1);
  });

  it('with nothing registered, no header changes (a real kafkajs Producer object, never connected)', async () => {
    const real = new Kafka({ brokers: ['127.0.0.1:1'] }).producer();
    const seen: unknown[] = [];
    real.send = async (record) => {
      seen.push(record.messages[0]);
      return [];
    };
    const message = { value: 'x', headers: { a: 'b' } };
    await instrumentProducer(real).send({ topic: 'n', messages: [message] });
    assert.equal(seen[0], message, 'the very same message object reaches kafkajs');
  });
});
