// @platformatic/kafka traced through its TracingChannels. The channel events are published the way the
// client publishes them (`traceCallback` for a send; start/asyncStart/asyncEnd/end around a stream's push,
// as in its messages-stream.js), so these run on every Node.js line; the last tests drive the real client.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tracingChannel } from 'node:diagnostics_channel';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { tracePlatformaticKafka, withPlatformaticMessageSpan, type PlatformaticMessage, type PlatformaticTracingOptions } from '../../../src/index';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { memoryTracing } from '../memory-tracing';
import { platformaticSkip } from '../../support/platformatic';

type Callback = (error: Error | null, result?: unknown) => void;
const sends = tracingChannel<unknown, object>('plt:kafka:producer:sends');
const receives = tracingChannel<unknown, object>('plt:kafka:consumer:receives');

interface SendOptions {
  messages: { topic: string; key?: unknown; value?: unknown; headers?: Map<unknown, unknown> | Record<string, unknown>; partition?: number }[];
}

/** A send as the client makes it: `traceCallback` with the options as the event's and the operation's argument. */
function send(options: SendOptions, outcome: { error?: Error; throws?: Error } = {}): Promise<{ wire: SendOptions['messages']; result: unknown }> {
  const client = { clientId: 'checkout' };
  return new Promise((resolve, reject) => {
    const operation = (opts: SendOptions, callback: Callback): void => {
      if (outcome.throws) throw outcome.throws;
      const wire = opts.messages; // what the client serializes
      setImmediate(() => (outcome.error ? callback(outcome.error) : callback(null, { offsets: [{ topic: wire[0]?.topic, partition: 2, offset: 41n }] })));
      void wire;
    };
    const event = { operationId: 1n, client, operation: 'send', options };
    try {
      sends.traceCallback(operation as never, 1, event, undefined, options, ((error: Error | null, result: unknown) => {
        if (error) reject(error);
        else resolve({ wire: options.messages, result });
      }) as never);
    } catch (err) {
      reject(err);
    }
  });
}

/** A delivery as a MessagesStream makes it, `deliver` standing for its push (listeners of a flowing stream run in it). */
function receive(message: PlatformaticMessage, raw: { key: Buffer | null; value: Buffer | null; headers: [Buffer, Buffer][] }, deliver: () => void = () => {}): void {
  const event: Record<string, unknown> = { operationId: 2n, client: { clientId: 'billing', groupId: 'payments' }, operation: 'receive', raw };
  receives.start.publish(event);
  try {
    event.result = message;
    receives.asyncStart.publish(event);
    deliver();
    receives.asyncEnd.publish(event);
  } catch (error) {
    event.error = error;
    receives.error.publish(event);
  } finally {
    receives.end.publish(event);
  }
}

function delivered(headers: [Buffer, Buffer][], extra: Partial<PlatformaticMessage> = {}): { message: PlatformaticMessage; raw: { key: Buffer; value: Buffer; headers: [Buffer, Buffer][] } } {
  const map = new Map<unknown, unknown>(headers);
  const message: PlatformaticMessage = { topic: 'orders', partition: 3, offset: 17n, timestamp: BigInt(Date.now() - 5), key: Buffer.from('o-1'), value: Buffer.from('{"total":12}'), headers: map, ...extra };
  return { message, raw: { key: Buffer.from('o-1'), value: Buffer.from('{"total":12}'), headers } };
}

const text = (v: unknown): string | undefined => (Buffer.isBuffer(v) ? v.toString('utf8') : typeof v === 'string' ? v : undefined);
function headerOf(headers: Map<unknown, unknown> | Record<string, unknown> | undefined, key: string): unknown {
  if (headers instanceof Map) {
    for (const [k, v] of headers) if (text(k) === key) return v;
    return undefined;
  }
  return headers?.[key];
}

describe('@platformatic/kafka through its TracingChannels', () => {
  const mem = memoryTracing();
  const handles: { disable(): void }[] = [];
  const traced = (options: PlatformaticTracingOptions = {}) => {
    const handle = tracePlatformaticKafka({ ...mem.options, ...options });
    handles.push(handle);
    return handle;
  };
  after(() => handles.forEach((h) => h.disable()));
  const reset = () => {
    handles.splice(0).forEach((h) => h.disable());
    mem.exporter.reset();
  };

  it('one message: a send span whose context a copy of the message carries, as bytes in a new Map; the caller objects unchanged', async () => {
    reset();
    traced();
    const headers = new Map<unknown, unknown>([[Buffer.from('x-user'), Buffer.from('kept')]]);
    const message = { topic: 'orders', key: 'o-1', value: '{"total":12}', headers };
    const options = { messages: [message] };
    const { wire } = await send(options);
    const [span] = mem.named('send orders');
    assert.ok(span);
    assert.equal(span.kind, SpanKind.PRODUCER);
    assert.deepEqual(
      { ...span.attributes },
      {
        'messaging.system': 'kafka',
        'messaging.operation.name': 'send',
        'messaging.operation.type': 'send',
        'messaging.destination.name': 'orders',
        'messaging.client.id': 'checkout',
        'messaging.kafka.message.key': 'o-1',
        'messaging.message.body.size': 12,
        'messaging.destination.partition.id': '2',
        'messaging.kafka.offset': 41,
      },
    );
    const out = wire[0];
    assert.ok(out && out !== message, 'the client sends a copy');
    assert.ok(out.headers instanceof Map && out.headers !== headers);
    const parent = headerOf(out.headers, 'traceparent');
    assert.ok(Buffer.isBuffer(parent), 'bytes, for the default serializers');
    assert.equal(parent.toString(), `00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`);
    assert.equal(text(headerOf(out.headers, 'x-user')), 'kept');
    assert.equal(headers.size, 1, "the caller's headers are not written to");
    assert.equal(message.headers, headers);
  });

  it('several messages: a send span and a create span per message, each message carrying its own', async () => {
    reset();
    traced({ headerType: 'string' });
    const { wire } = await send({ messages: [{ topic: 'orders', value: 'a' }, { topic: 'orders', value: 'b', headers: { 'x-a': '1' } }] });
    const [sendSpan] = mem.named('send orders');
    const creates = mem.named('create orders');
    assert.ok(sendSpan);
    assert.equal(sendSpan.attributes['messaging.batch.message_count'], 2);
    assert.equal(creates.length, 2);
    wire.forEach((m, i) => {
      const create = creates[i];
      assert.ok(create);
      assert.equal(create.parentSpanContext?.spanId ?? (create as unknown as { parentSpanId?: string }).parentSpanId, sendSpan.spanContext().spanId);
      assert.equal(headerOf(m.headers, 'traceparent'), `00-${create.spanContext().traceId}-${create.spanContext().spanId}-01`, 'a string, as asked');
    });
    assert.equal(headerOf(wire[1]?.headers, 'x-a'), '1');
  });

  it('a forwarded message: its stale traceparent is replaced and the new span links to it', async () => {
    reset();
    traced({ headerType: 'string' });
    const stale = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const { wire } = await send({ messages: [{ topic: 'orders', value: 'x', headers: { Traceparent: stale } }] });
    const [span] = mem.named('send orders');
    assert.ok(span);
    assert.deepEqual(span.links.map((l) => l.context.spanId), ['b7ad6b7169203331']);
    assert.deepEqual(Object.keys(wire[0]?.headers ?? {}).filter((k) => k.toLowerCase() === 'traceparent'), ['traceparent']);
  });

  it('a failed send: the span records the error and ends; the caller gets the same error', async () => {
    reset();
    traced();
    const failure = new RangeError('broker said no');
    await assert.rejects(send({ messages: [{ topic: 'orders', value: 'x' }] }, { error: failure }), (e) => e === failure);
    const [span] = mem.named('send orders');
    assert.equal(span?.status.code, SpanStatusCode.ERROR);
    assert.equal(span?.attributes['error.type'], 'RangeError');
  });

  it('a send that throws at once still ends its span', async () => {
    reset();
    traced();
    const failure = new TypeError('bad call');
    await assert.rejects(send({ messages: [{ topic: 'orders', value: 'x' }] }, { throws: failure }), (e) => e === failure);
    assert.equal(mem.named('send orders')[0]?.status.code, SpanStatusCode.ERROR);
  });

  it('with no provider registered nothing is touched; after disable() nothing is traced', async () => {
    reset();
    tracePlatformaticKafka().disable();
    const untraced = tracePlatformaticKafka();
    handles.push(untraced);
    const messages = [{ topic: 'orders', value: 'x' }];
    const options = { messages };
    await send(options);
    assert.equal(options.messages, messages, 'no copies when nothing is registered');
    untraced.disable();
    traced().disable();
    await send({ messages: [{ topic: 'orders', value: 'x' }] });
    assert.equal(mem.spans().length, 0);
  });

  it("a delivered message: a process span, child of the producer's span, with group, partition, offset and key", async () => {
    reset();
    traced();
    const parent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const { message, raw } = delivered([[Buffer.from('traceparent'), Buffer.from(parent)]]);
    receive(message, raw);
    const [span] = mem.named('process orders');
    assert.ok(span);
    assert.equal(span.kind, SpanKind.CONSUMER);
    assert.equal(span.spanContext().traceId, '0af7651916cd43dd8448eb211c80319c');
    assert.equal(span.parentSpanContext?.spanId ?? (span as unknown as { parentSpanId?: string }).parentSpanId, 'b7ad6b7169203331');
    assert.equal(span.attributes['messaging.consumer.group.name'], 'payments');
    assert.equal(span.attributes['messaging.client.id'], 'billing');
    assert.equal(span.attributes['messaging.destination.partition.id'], '3');
    assert.equal(span.attributes['messaging.kafka.offset'], 17);
    assert.equal(span.attributes['messaging.kafka.message.key'], 'o-1');
    assert.equal(span.attributes['messaging.message.body.size'], 12);
  });

  it('work for a message after its delivery (for await) runs under its process span', async () => {
    reset();
    traced();
    const { message, raw } = delivered([]);
    receive(message, raw);
    const tracer = mem.provider.getTracer('app');
    await withPlatformaticMessageSpan(message, async () => {
      await new Promise((r) => setImmediate(r));
      tracer.startSpan('handle').end();
    });
    const [process] = mem.named('process orders');
    const [handle] = mem.named('handle');
    assert.ok(process && handle);
    assert.equal(handle.spanContext().traceId, process.spanContext().traceId);
    assert.equal(handle.parentSpanContext?.spanId ?? (handle as unknown as { parentSpanId?: string }).parentSpanId, process.spanContext().spanId);
  });

  it("work started during the push (a flowing stream's 'data' listener) keeps the span open until it settles, and its error is recorded", async () => {
    reset();
    traced();
    const { message, raw } = delivered([]);
    let settled!: Promise<unknown>;
    const failure = new Error('handler failed');
    receive(message, raw, () => {
      settled = withPlatformaticMessageSpan(message, async () => {
        assert.ok(trace.getSpan(context.active())?.isRecording());
        await new Promise((r) => setImmediate(r));
        throw failure;
      }).catch((e: unknown) => e);
    });
    assert.equal(mem.named('process orders').length, 0, 'still open after the push');
    assert.equal(await settled, failure);
    const [span] = mem.named('process orders');
    assert.equal(span?.status.code, SpanStatusCode.ERROR);
  });

  it('the messaging metrics of the other clients: sent messages with error.type, consumed messages per group, queue time', async () => {
    reset();
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3600000 });
    traced({ meterProvider: new MeterProvider({ readers: [reader] }) });
    await send({ messages: [{ topic: 'orders', value: 'a' }, { topic: 'orders', value: 'b' }] });
    await assert.rejects(send({ messages: [{ topic: 'orders', value: 'c' }] }, { error: new RangeError('no') }));
    const { message, raw } = delivered([]);
    receive(message, raw);
    const { resourceMetrics } = await reader.collect();
    const byName = new Map(resourceMetrics.scopeMetrics.flatMap((m) => m.metrics).map((m) => [m.descriptor.name, m]));
    const sent = byName.get('messaging.client.sent.messages')?.dataPoints ?? [];
    assert.equal(sent.find((p) => p.attributes['error.type'] === undefined)?.value, 2);
    assert.equal(sent.find((p) => p.attributes['error.type'] === 'RangeError')?.value, 1);
    const consumed = byName.get('messaging.client.consumed.messages')?.dataPoints ?? [];
    assert.deepEqual(consumed.map((p) => [p.value, p.attributes['messaging.consumer.group.name'], p.attributes['messaging.destination.name']]), [[1, 'payments', 'orders']]);
    assert.ok(byName.get('messaging.process.duration'), 'process duration');
    assert.ok(byName.get('messaging.client.operation.duration'), 'send duration');
    assert.equal(byName.get('kafkajs_tracing.queue_time')?.dataPoints[0]?.attributes['messaging.consumer.group.name'], 'payments', 'queue time');
  });

  it('a failure inside a subscriber (a meter that throws) stays ours: no uncaught exception, the caller gets its result', async () => {
    reset();
    // Counters throw (recorded when a send or a delivery ends); histograms work (queue time, at a delivery's start).
    const counter = { add: () => { throw new Error('meter broke'); } };
    const meter = { createCounter: () => counter, createHistogram: () => ({ record: () => undefined }) };
    const meterProvider = { getMeter: () => meter } as unknown as PlatformaticTracingOptions['meterProvider'];
    traced({ meterProvider });
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown) => uncaught.push(err);
    process.on('uncaughtException', onUncaught);
    try {
      const { result } = await send({ messages: [{ topic: 'orders', value: 'x' }] });
      assert.ok(result, "the client's result");
      const { message, raw } = delivered([]);
      receive(message, raw);
      // The helper's work settles through the same end: the handler's result comes back, not our failure.
      const claimed = delivered([]);
      let handled: Promise<string> | undefined;
      receive(claimed.message, claimed.raw, () => {
        handled = withPlatformaticMessageSpan(claimed.message, async () => 'handled');
      });
      assert.equal(await handled, 'handled');
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    assert.deepEqual(uncaught, []);
    assert.equal(mem.named('send orders').length, 1, 'the send span still ended');
    assert.equal(mem.named('process orders').length, 2, 'both process spans still ended');
  });

  it("the client's own record codec (default serializers) writes the headers of every traced message, and the context reads back", { skip: platformaticSkip }, async () => {
    reset();
    traced();
    const plt = (await import('@platformatic/kafka')) as typeof import('@platformatic/kafka', { with: { 'resolution-mode': 'import' } });
    const { wire } = await send({
      messages: [
        { topic: 'orders', key: Buffer.from('a'), value: Buffer.from('no headers') },
        { topic: 'orders', key: Buffer.from('b'), value: Buffer.from('map'), headers: new Map([[Buffer.from('x-user'), Buffer.from('kept')]]) },
      ],
    });
    // As Producer#send serializes with no serializers: a Map as it is, a record's entries turned into one.
    const records = wire.map((m) => ({
      topic: m.topic,
      partition: 0,
      key: m.key as Buffer,
      value: m.value as Buffer,
      headers: (m.headers instanceof Map ? m.headers : new Map(Object.entries(m.headers ?? {}))) as Map<Buffer, Buffer>,
    }));
    const encoded = plt.createRecordsBatch(records);
    const batch = plt.readRecordsBatch(plt.Reader.from(encoded));
    const creates = mem.named('create orders');
    batch.records.forEach((record, i) => {
      const headers = new Map(record.headers.map(([k, v]) => [String(k), String(v)]));
      const create = creates[i];
      assert.equal(headers.get('traceparent'), `00-${create?.spanContext().traceId}-${create?.spanContext().spanId}-01`);
    });
    assert.equal(new Map(batch.records[1]?.headers.map(([k, v]) => [String(k), String(v)])).get('x-user'), 'kept');
  });

  it('the real client (needs Node.js >= 22.22 / >= 24.6): a failed send to a closed port is traced and the caller objects unchanged', { skip: platformaticSkip }, async () => {
    reset();
    const seen: unknown[] = [];
    traced({ producerHook: (_span, info) => seen.push(headerOf(info.message.headers, 'traceparent')) });
    const { Producer } = (await import('@platformatic/kafka')) as typeof import('@platformatic/kafka', { with: { 'resolution-mode': 'import' } });
    const producer = new Producer({ clientId: 'unit', bootstrapBrokers: ['127.0.0.1:1'], retries: 0 });
    const message = { topic: 'orders', key: Buffer.from('o-1'), value: Buffer.from('v') };
    try {
      await assert.rejects(producer.send({ messages: [message] }));
    } finally {
      await producer.close().catch(() => undefined);
    }
    const [span] = mem.named('send orders');
    assert.ok(span, 'the send span');
    assert.equal(span.status.code, SpanStatusCode.ERROR);
    assert.equal(span.attributes['messaging.client.id'], 'unit');
    assert.ok(Buffer.isBuffer(seen[0]));
    assert.equal(Object.prototype.hasOwnProperty.call(message, 'headers'), false, "the caller's message is not written to");
  });
});
