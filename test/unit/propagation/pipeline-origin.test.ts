// The pipeline origin carried in a `kjt` tracestate entry: format, W3C limits, and hop to hop through
// the real middleware (stand-in clients, SDK tracer and meter providers).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT_CONTEXT, TraceFlags, createTraceState, trace, type Context } from '@opentelemetry/api';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import type { EachMessagePayload, KafkaMessage, Message } from 'kafkajs';
import { instrumentConsumer, instrumentProducer, type ConsumerInstrumentationOptions, type ProducerInstrumentationOptions } from '../../../src/index';
import { formatOrigin, injectionContext, parseOrigin, setOriginEntry, withOrigin } from '../../../src/propagation/pipeline-origin';
import { fakeConsumer, fakeProducer, kafkaMessage, memoryTracing } from '../memory-tracing';

const KEY = /^[a-z][a-z0-9_\-*/]{0,255}$/;
// W3C value: printable ASCII except ',' and '=', not ending in a space, at most 256 characters.
const VALUE = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;

function meter() {
  const reader = new PeriodicExportingMetricReader({ exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE), exportIntervalMillis: 3600000 });
  const provider = new MeterProvider({ readers: [reader] });
  const points = async (name: string) => {
    const { resourceMetrics } = await reader.collect();
    return resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === name)?.dataPoints ?? [];
  };
  return { provider, points };
}

const header = (m: Message | undefined, key: string): string | undefined => {
  const v = m?.headers?.[key];
  return v === undefined ? undefined : String(v);
};

/** One hop: `message` consumed from `topic`; the handler produces to `next`. Returns what was produced and the process span. */
async function hop(topic: string, message: KafkaMessage, next: string, extra: ConsumerInstrumentationOptions = {}, producerOptions: ProducerInstrumentationOptions = {}) {
  const t = memoryTracing();
  const m = meter();
  const f = fakeConsumer();
  const p = fakeProducer();
  const producer = instrumentProducer(p.producer, { ...t.options, meterProvider: m.provider, ...producerOptions });
  const consumer = instrumentConsumer(f.consumer, { ...t.options, meterProvider: m.provider, groupId: `${topic}-group`, ...extra });
  await consumer.run({ eachMessage: async () => void (await producer.send({ topic: next, messages: [{ value: 'v' }] })) });
  const payload = { topic, partition: 0, message, heartbeat: async () => undefined, pause: () => () => undefined } as EachMessagePayload;
  await f.last()?.eachMessage?.(payload);
  const out = p.sent[0]?.messages[0];
  return { out, process: t.named(`process ${topic}`)[0], points: m.points };
}

describe('pipeline origin in tracestate', () => {
  it('pipelineOrigin: false writes no entry of ours, forwards no upstream one, and keeps other vendors\' entries', async () => {
    const t = memoryTracing();
    const p = fakeProducer();
    const producer = instrumentProducer(p.producer, { ...t.options, pipelineOrigin: false });
    await producer.send({ topic: 'orders', messages: [{ value: 'o' }] });
    const first = p.sent[0]?.messages[0];
    assert.match(header(first, 'traceparent') ?? '', /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    assert.equal(header(first, 'tracestate'), undefined, 'no tracestate header at all');

    const traceparent = header(first, 'traceparent') as string;
    const withOthers = kafkaMessage({ traceparent, tracestate: `kjt=${formatOrigin({ originMs: Date.now() - 1000, hop: 1, entry: 'orders' })},congo=t61rcWkgMzE` });
    const r = await hop('orders', withOthers, 'payments', {}, { pipelineOrigin: false });
    assert.equal(header(r.out, 'tracestate'), 'congo=t61rcWkgMzE', "the upstream entry is not forwarded; another vendor's is");
    assert.equal(r.process?.attributes['kafkajs_tracing.pipeline.hop'], 1, 'the consumer still reads the origin it received');
    const onlyOurs = kafkaMessage({ traceparent, tracestate: `kjt=${formatOrigin({ originMs: Date.now() - 1000, hop: 1, entry: 'orders' })}` });
    const r2 = await hop('orders', onlyOurs, 'payments', {}, { pipelineOrigin: false });
    assert.equal(header(r2.out, 'tracestate'), undefined, 'nothing left: no empty header');
    assert.equal(header(r2.out, 'traceparent')?.slice(3, 35), traceparent.slice(3, 35), 'same trace');
  });

  it('formats a value the W3C grammar accepts and reads it back', () => {
    const origin = { originMs: Date.UTC(2026, 10, 27), hop: 3, entry: 'orders.v2_eu-1' };
    const value = formatOrigin(origin);
    assert.match('kjt', KEY);
    assert.match(value, VALUE);
    assert.deepEqual(parseOrigin(value), origin);
    for (const bad of ['', 'x', '1:2', 'zz:0:orders', 'zz:1:', 'zz:1:a,b', 'zz:1:a=b', '-1:1:orders']) assert.equal(parseOrigin(bad), 'malformed', bad);
  });

  it('goes first, keeps the other entries, and respects the 32-entry and 512-character limits', () => {
    const others = Array.from({ length: 32 }, (_, i) => `v${i}=x${i}`);
    const full = setOriginEntry(createTraceState(others.join(',')), '1:1:orders').serialize().split(',');
    assert.equal(full.length, 32);
    assert.equal(full[0], 'kjt=1:1:orders');
    assert.deepEqual(full.slice(1), others.slice(0, 31), 'the right-most entry makes room');
    const long = [`a=${'x'.repeat(250)}`, `b=${'y'.repeat(250)}`].join(',');
    const capped = setOriginEntry(createTraceState(long), '1:1:orders').serialize();
    assert.ok(capped.length <= 512 && capped.startsWith('kjt=1:1:orders,a='), capped);
    const replaced = setOriginEntry(createTraceState('kjt=old,congo=t61rcWkgMzE'), '1:2:orders').serialize();
    assert.equal(replaced, 'kjt=1:2:orders,congo=t61rcWkgMzE');
  });

  it('a first produce writes no entry: its record is the origin; each consumer hop records time since origin and forwards it one hop further', async () => {
    const t = memoryTracing();
    const p = fakeProducer();
    const producer = instrumentProducer(p.producer, { ...t.options });
    await producer.send({ topic: 'orders', messages: [{ value: 'o', headers: { tracestate: 'congo=t61rcWkgMzE' } }] });
    const first = p.sent[0]?.messages[0];
    assert.equal(header(first, 'tracestate'), 'congo=t61rcWkgMzE', 'no entry of ours at the first hop; the other vendor keeps its own');

    // The first hop's consumer takes the origin from the record: its timestamp and its topic.
    const stamped = Date.now() - 1500;
    const firstHop = await hop('orders', kafkaMessage({ traceparent: header(first, 'traceparent') as string }, { timestamp: String(stamped) }), 'payments');
    assert.equal(firstHop.process?.attributes['kafkajs_tracing.pipeline.entry'], 'orders');
    assert.equal(firstHop.process?.attributes['kafkajs_tracing.pipeline.hop'], 1);
    const sinceRecord = firstHop.process?.attributes['kafkajs_tracing.pipeline.latency_ms'] as number;
    assert.ok(sinceRecord >= 1500 && sinceRecord < 2500, String(sinceRecord));
    assert.deepEqual(parseOrigin(createTraceState(header(firstHop.out, 'tracestate')).get('kjt')), { originMs: stamped, hop: 2, entry: 'orders' }, 'the second hop carries it');
    const [firstPoint] = await firstHop.points('kafkajs_tracing.pipeline.latency');
    assert.equal((firstPoint?.value as { count: number }).count, 1, 'the first hop is measured too');
    const untraced = await hop('orders', kafkaMessage({}, { timestamp: String(stamped) }), 'payments');
    assert.equal(untraced.process?.attributes['kafkajs_tracing.pipeline.hop'], undefined, 'a message without trace context is no pipeline of ours');

    // 2 s later, payments consumes it and produces to `payments`.
    const originMs = Date.now() - 2000;
    const traceparent = header(first, 'traceparent') as string;
    const incoming = kafkaMessage({ traceparent, tracestate: `kjt=${formatOrigin({ originMs, hop: 1, entry: 'orders' })},congo=t61rcWkgMzE` }, { timestamp: String(Date.now() - 500) });
    const r = await hop('orders', incoming, 'payments');
    assert.equal(r.process?.attributes['kafkajs_tracing.pipeline.entry'], 'orders');
    assert.equal(r.process?.attributes['kafkajs_tracing.pipeline.hop'], 1);
    const latency = r.process?.attributes['kafkajs_tracing.pipeline.latency_ms'] as number;
    assert.ok(latency >= 2000 && latency < 3000, String(latency));
    const queue = r.process?.attributes['kafkajs_tracing.queue_time_ms'] as number;
    assert.ok(queue >= 500 && queue < 1500, String(queue));
    assert.equal(r.process?.attributes['messaging.kafka.message.end_to_end_latency_ms'], queue, 'the deprecated name still carries it');
    const forwarded = createTraceState(header(r.out, 'tracestate'));
    assert.deepEqual(parseOrigin(forwarded.get('kjt')), { originMs, hop: 2, entry: 'orders' }, 'same origin, one hop further');
    assert.equal(forwarded.get('congo'), 't61rcWkgMzE', "another vendor's entry passes through");

    const [point] = await r.points('kafkajs_tracing.pipeline.latency');
    assert.equal(point?.attributes['kafkajs_tracing.pipeline.entry'], 'orders');
    assert.equal(point?.attributes['messaging.destination.name'], 'orders');
    assert.equal(point?.attributes['messaging.consumer.group.name'], 'orders-group');
    const h = point?.value as { count: number; sum: number };
    assert.equal(h.count, 1);
    assert.ok(h.sum >= 2 && h.sum < 3);
    const [queued] = await r.points('kafkajs_tracing.queue_time');
    assert.equal((queued?.value as { count: number }).count, 1);
    const { boundaries } = (queued?.value as { buckets: { boundaries: number[] } }).buckets;
    assert.deepEqual([boundaries[0], boundaries[boundaries.length - 1]], [0.001, 14400], 'queueing buckets: 1 ms to 4 h');
    const [old] = await r.points('messaging.kafka.end_to_end.latency');
    assert.equal((old?.value as { count: number }).count, 1, 'deprecated metric still recorded for one release');
  });

  it('an untrusted upstream origin is dropped: not recorded, and the handler starts a new pipeline', async () => {
    const originMs = Date.now() - 2000;
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const incoming = kafkaMessage({ traceparent, tracestate: `kjt=${formatOrigin({ originMs, hop: 4, entry: 'outside' })}` });
    const before = Date.now();
    const r = await hop('inbound', incoming, 'payments', { trustUpstream: false });
    assert.equal(r.process?.attributes['kafkajs_tracing.pipeline.latency_ms'], undefined);
    assert.equal((await r.points('kafkajs_tracing.pipeline.latency')).length, 0);
    assert.equal(header(r.out, 'tracestate'), undefined, 'the produced record starts a new pipeline: it carries no entry');
    assert.ok(Date.now() >= before);
  });

  it('clock skew and garbage are counted, never recorded', async () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const cases: Array<[string, string]> = [
      [formatOrigin({ originMs: Date.now() + 60_000, hop: 1, entry: 'orders' }), 'negative'],
      [formatOrigin({ originMs: 1000, hop: 1, entry: 'orders' }), 'too_old'],
      ['not:an:origin!', 'malformed'],
    ];
    for (const [value, reason] of cases) {
      const r = await hop('orders', kafkaMessage({ traceparent, tracestate: `kjt=${value}` }, { timestamp: String(Date.now() + 60_000) }), 'payments');
      assert.equal(r.process?.attributes['kafkajs_tracing.pipeline.latency_ms'], undefined, reason);
      assert.equal(r.process?.attributes['kafkajs_tracing.queue_time_ms'], undefined, 'a timestamp in the future is not a queue time');
      assert.equal((await r.points('kafkajs_tracing.pipeline.latency')).length, 0, reason);
      const rejected = await r.points('kafkajs_tracing.rejected_measurements');
      const pipeline = rejected.find((p) => p.attributes['kafkajs_tracing.measurement'] === 'pipeline_latency');
      assert.equal(pipeline?.attributes['kafkajs_tracing.rejection'], reason);
      assert.equal(pipeline?.value, 1);
      const queue = rejected.find((p) => p.attributes['kafkajs_tracing.measurement'] === 'queue_time');
      assert.equal(queue?.attributes['kafkajs_tracing.rejection'], 'negative');
    }
  });
});

describe('pipeline origin: the single-entry tracestate', () => {
  it('behaves as the API implementation does for get, set, unset and serialize', () => {
    const only = setOriginEntry(undefined, '1:1:orders');
    const api = createTraceState('kjt=1:1:orders');
    assert.equal(only.serialize(), api.serialize());
    assert.equal(only.get('kjt'), '1:1:orders');
    assert.equal(only.get('other'), undefined);
    assert.equal(only.set('congo', 't61').serialize(), api.set('congo', 't61').serialize());
    assert.equal(only.set('kjt', '2:2:orders').serialize(), 'kjt=2:2:orders');
    assert.equal(only.unset('kjt').serialize(), '');
    assert.equal(only.unset('congo').serialize(), 'kjt=1:1:orders');
    assert.equal(setOriginEntry(only, '3:3:orders').serialize(), 'kjt=3:3:orders');
  });
});

describe('pipeline origin: the value injected per message', () => {
  const span = (traceState?: string) =>
    trace.wrapSpanContext({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.NONE, traceState: traceState === undefined ? undefined : createTraceState(traceState) });
  const carried = (ctx: Context) => trace.getSpanContext(ctx)?.traceState?.serialize();

  it('is the origin of each message, whatever was injected just before (other origin, other hop); a first hop writes none', () => {
    const cases: Array<[Context, string | undefined, string | undefined]> = [
      [ROOT_CONTEXT, undefined, undefined],
      [ROOT_CONTEXT, 'congo=t61', 'congo=t61'],
      [ROOT_CONTEXT, 'kjt=old', undefined],
      [withOrigin(ROOT_CONTEXT, { originMs: 1000, hop: 1, entry: 'a' }), undefined, 'kjt=rs:2:a'],
      [withOrigin(ROOT_CONTEXT, { originMs: 1000, hop: 1, entry: 'a' }), undefined, 'kjt=rs:2:a'],
      [withOrigin(ROOT_CONTEXT, { originMs: 1000, hop: 2, entry: 'a' }), undefined, 'kjt=rs:3:a'],
      [withOrigin(ROOT_CONTEXT, { originMs: 1000, hop: 2, entry: 'b' }), 'congo=t61', 'kjt=rs:3:b,congo=t61'],
      [withOrigin(ROOT_CONTEXT, { originMs: 1001, hop: 2, entry: 'b' }), undefined, 'kjt=rt:3:b'],
      [ROOT_CONTEXT, undefined, undefined],
    ];
    for (const [parent, state, expected] of cases) {
      assert.equal(carried(injectionContext(parent, span(state))), expected, `${String(parent.getValue(Symbol.for('x')))} under ${state}`);
    }
  });
});
