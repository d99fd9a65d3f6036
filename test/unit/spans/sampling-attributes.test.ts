// Which attributes a sampler sees when a span starts, and what a sampled-out message costs: the
// attributes the messaging conventions list for sampling are given at creation; the others are set
// once the span records, and are never computed for a span that does not.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { type Attributes } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SamplingDecision, SimpleSpanProcessor, type Sampler } from '@opentelemetry/sdk-trace-base';
import type { EachMessagePayload, KafkaMessage, Message } from 'kafkajs';
import { instrumentConsumer, instrumentProducer } from '../../../src/index';
import { fakeConsumer, fakeProducer, memoryTracing } from '../memory-tracing';

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

/** A provider whose sampler keeps every start's attributes and decides as told. */
function sampled(decision: SamplingDecision) {
  const starts: { name: string; attributes: Attributes }[] = [];
  const sampler: Sampler = {
    shouldSample: (_ctx, _trace, name, _kind, attributes) => {
      starts.push({ name, attributes: { ...attributes } });
      return { decision };
    },
    toString: () => 'recording sampler',
  };
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ sampler, spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const { propagator } = memoryTracing();
  return { starts, exporter, options: { tracerProvider: provider, propagator, clientId: 'app-1' } };
}

/** A message whose key and value count how often they are read. */
function countingMessage<T extends object>(base: T): { message: T & { key: unknown; value: unknown }; reads: () => number } {
  let reads = 0;
  const message = { ...base } as T & { key: unknown; value: unknown };
  Object.defineProperty(message, 'key', { enumerable: true, get: () => (reads++, Buffer.from('order-7')) });
  Object.defineProperty(message, 'value', { enumerable: true, get: () => (reads++, Buffer.from('hello')) });
  return { message, reads: () => reads };
}

async function consumeOne(options: object, message: KafkaMessage) {
  const f = fakeConsumer();
  let handled = 0;
  await instrumentConsumer(f.consumer, { ...options, groupId: 'billing' }).run({ eachMessage: async () => void handled++ });
  const payload = { topic: 'orders', partition: 3, message, heartbeat: async () => undefined, pause: () => () => undefined } as EachMessagePayload;
  await f.last()?.eachMessage?.(payload);
  return handled;
}

describe('attributes at span start and sampled-out messages', () => {
  it('producer: samplers see system, operation, destination and partition; the span ends with every attribute', async () => {
    const s = sampled(SamplingDecision.RECORD_AND_SAMPLED);
    const p = fakeProducer();
    await instrumentProducer(p.producer, s.options).send({ topic: 'orders', messages: [{ key: 'order-7', value: 'hello', partition: 2 }] });
    assert.deepEqual(s.starts, [
      {
        name: 'send orders',
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation.name': 'send',
          'messaging.operation.type': 'send',
          'messaging.destination.name': 'orders',
          'messaging.destination.partition.id': '2',
        },
      },
    ]);
    assert.deepEqual(s.exporter.getFinishedSpans()[0]?.attributes, {
      'messaging.system': 'kafka',
      'messaging.operation.name': 'send',
      'messaging.operation.type': 'send',
      'messaging.destination.name': 'orders',
      'messaging.destination.partition.id': '2',
      'messaging.client.id': 'app-1',
      'messaging.kafka.message.key': 'order-7',
      'messaging.message.body.size': 5,
      'messaging.kafka.offset': 41,
    });
  });

  it('producer: a sampled-out message is sent with its context, and its key and value are not read for attributes', async () => {
    const s = sampled(SamplingDecision.NOT_RECORD);
    const p = fakeProducer();
    const { message, reads } = countingMessage({});
    await instrumentProducer(p.producer, s.options).send({ topic: 'orders', messages: [message as Message] });
    assert.equal(s.starts.length, 1);
    assert.equal(s.exporter.getFinishedSpans().length, 0);
    const out = p.sent[0]?.messages[0];
    assert.match(String(out?.headers?.traceparent), /^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/, 'the decision travels on');
    assert.equal(out?.headers?.tracestate, undefined, 'a first hop carries no origin entry: the record itself is the origin');
    assert.equal(reads(), 2, 'key and value read once each: by the copy of the message that carries the headers, not for attributes');
  });

  it('producer, several messages: the batch count is set on the send span after its start', async () => {
    const s = sampled(SamplingDecision.RECORD_AND_SAMPLED);
    const p = fakeProducer();
    await instrumentProducer(p.producer, s.options).send({ topic: 'orders', messages: [{ value: 'a' }, { value: 'b' }] });
    assert.equal(s.starts[0]?.attributes['messaging.batch.message_count'], undefined);
    const send = s.exporter.getFinishedSpans().find((x) => x.name === 'send orders');
    assert.equal(send?.attributes['messaging.batch.message_count'], 2);
    assert.equal(send?.attributes['messaging.client.id'], 'app-1');
  });

  it('consumer: samplers see system, operation, destination, partition and group; the span ends with every attribute', async () => {
    const s = sampled(SamplingDecision.RECORD_AND_SAMPLED);
    const message = { key: Buffer.from('order-7'), value: Buffer.from('hello'), timestamp: String(Date.now() - 10), attributes: 0, offset: '5', headers: { traceparent: TRACEPARENT } } as KafkaMessage;
    assert.equal(await consumeOne(s.options, message), 1);
    assert.deepEqual(s.starts, [
      {
        name: 'process orders',
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation.name': 'process',
          'messaging.operation.type': 'process',
          'messaging.destination.name': 'orders',
          'messaging.destination.partition.id': '3',
          'messaging.consumer.group.name': 'billing',
        },
      },
    ]);
    const a = s.exporter.getFinishedSpans()[0]?.attributes ?? {};
    const queued = a['kafkajs_tracing.queue_time_ms'] as number;
    assert.ok(queued >= 10 && queued < 1000, String(queued));
    assert.deepEqual(a, {
      ...s.starts[0]?.attributes,
      'messaging.client.id': 'app-1',
      'messaging.kafka.message.key': 'order-7',
      'messaging.message.body.size': 5,
      'messaging.kafka.offset': 5,
      'kafkajs_tracing.queue_time_ms': queued,
      'messaging.kafka.message.end_to_end_latency_ms': queued,
      // A traced message without an origin entry is a pipeline's first hop, timed from its record.
      'kafkajs_tracing.pipeline.entry': 'orders',
      'kafkajs_tracing.pipeline.hop': 1,
      'kafkajs_tracing.pipeline.latency_ms': queued,
    });
  });

  it('consumer: a sampled-out message runs its handler once, and its key and value are never read', async () => {
    const s = sampled(SamplingDecision.NOT_RECORD);
    const { message, reads } = countingMessage({ timestamp: String(Date.now()), attributes: 0, offset: '5', headers: { traceparent: TRACEPARENT } });
    assert.equal(await consumeOne(s.options, message as unknown as KafkaMessage), 1);
    assert.equal(s.starts.length, 1);
    assert.equal(s.exporter.getFinishedSpans().length, 0);
    assert.equal(reads(), 0);
  });
});
