// Per-message cost of the middleware, in process (no network): a kafkajs Producer whose network
// layer is stubbed (send resolves at once) and a wrapped eachMessage called with kafkajs-shaped
// payloads. Variants run interleaved, round after round, and the medians are compared, because
// this machine is noisy. Run: npm run bench:in-process  (node --expose-gc is required for allocations)
import { writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import * as kafkajs from 'kafkajs';
import { loadAnchor } from './anchor';
import { Kafka, type Consumer, type ConsumerRunConfig, type EachMessageHandler, type EachMessagePayload, type KafkaMessage, type Message, type Producer } from 'kafkajs';
import { startTracing, type Tracing, type TracingOptions } from '../dist/setup/index';
import { instrumentConsumer, instrumentProducer } from '../dist/index'; // the built package, as users run it (tsx's module getters would add cost of their own)
import { KafkaTracingInstrumentation } from '../dist/instrumentation/index';
import { w3cPropagator } from '../dist/propagation/w3c-propagator'; // what startTracing registers by default

const ROUNDS = Number(process.env.ROUNDS ?? 7);
const ANCHOR_NAME = 'anchor: instrumentation-kafkajs, 100%';
const DROP_IN_NAME = 'ours via instrumentation, 100%';
const OPS = Number(process.env.OPS ?? 20000);
const ALLOC_OPS = 2000;
const VALUE = Buffer.alloc(1200, 0x61);
const gc = (globalThis as { gc?: () => void }).gc;

/** Accepts every batch and throws it away: the hand-off cost stays, the network does not. */
class DiscardExporter implements SpanExporter {
  spans = 0;
  export(spans: ReadableSpan[], done: (r: ExportResult) => void): void {
    this.spans += spans.length;
    done({ code: ExportResultCode.SUCCESS });
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** startTracing as every traced variant has it: not registered, spans batched into a {@link DiscardExporter}. */
function discardingTracing(options: Pick<TracingOptions, 'sampleRatio' | 'leanSpans'> = {}): Tracing {
  return startTracing({
    serviceName: 'bench',
    exporter: new DiscardExporter(),
    register: false,
    batch: { maxQueueSize: 1_000_000, maxExportBatchSize: 512, scheduledDelayMillis: 100 },
    ...options,
  });
}

interface Variant {
  name: string;
  producer: Producer;
  eachMessage: EachMessageHandler;
  tracing?: Tracing;
  /** Payloads of its consume ops, when not the shared ones; `wire` ones are decoded per op. */
  payloads?: ConsumePayloads;
  /** The message of its i-th produce op, when not the shared shape (key and value). */
  message?: (i: number) => Message;
}

/** What a consume op hands the handler: ready payloads, or encoded record batches decoded per op as a fetch would. */
type ConsumePayloads = { kind: 'ready'; list: EachMessagePayload[] } | { kind: 'wire'; batches: Buffer[] };

function stubbedProducer(): Producer {
  // A real kafkajs Producer object (never connected) with its network layer replaced.
  const producer = new Kafka({ brokers: ['127.0.0.1:1'] }).producer();
  const ack = [{ topicName: 'bench', partition: 0, errorCode: 0, baseOffset: '0' }];
  producer.send = () => Promise.resolve(ack);
  return producer;
}

// kafkajs's own wire codec (internal modules: the stubs above skip it, so that the traced variants'
// figures are the middleware's alone). Used only by the "wire" rows below.
const wireRequire = createRequire(require.resolve('kafkajs'));
type Encoded = { buffer: Buffer };
const ProduceRequest = wireRequire('./src/protocol/requests/produce/v3/request') as (r: object) => { encode(): Promise<Encoded> };
const RecordBatchEncoder = (wireRequire('./src/protocol/recordBatch/v0') as { RecordBatch: (b: object) => Promise<Encoded> }).RecordBatch;
const RecordEncoder = wireRequire('./src/protocol/recordBatch/record/v0') as (r: object) => unknown;
const RecordBatchDecoder = wireRequire('./src/protocol/recordBatch/v0/decoder') as (d: unknown) => Promise<{ records: KafkaMessage[] }>;
const WireDecoder = wireRequire('./src/protocol/decoder') as new (b: Buffer) => unknown;

/**
 * Trace headers of realistic size, as a traced upstream writes them: W3C traceparent, a tracestate
 * with this package's pipeline-origin entry and one other vendor's, and two baggage entries.
 */
const TRACE_HEADERS = {
  traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  tracestate: 'kjt=mi0x4s2o:2:orders,congo=t61rcWkgMzE',
  baggage: 'tenant=acme,user.id=4f1c2b9e-8d7a-4b3c-9e21-0a6f5d3c7b10',
};

/** A producer whose `send` encodes the request as kafkajs would put it on the wire, then resolves. */
function wireProducer(): Producer {
  const producer = new Kafka({ brokers: ['127.0.0.1:1'] }).producer();
  const ack = [{ topicName: 'bench', partition: 0, errorCode: 0, baseOffset: '0' }];
  producer.send = async (record) => {
    const topicData = [{ topic: record.topic, partitions: [{ partition: 0, messages: record.messages }] }];
    await ProduceRequest({ acks: -1, timeout: 30000, topicData }).encode();
    return ack;
  };
  return producer;
}

/** One-message record batches as a fetch returns them, decoded per consume op. */
async function wireBatches(headers: Record<string, string> | undefined): Promise<Buffer[]> {
  return Promise.all(
    Array.from({ length: 1000 }, async (_, i) => {
      const record = RecordEncoder({ offsetDelta: 0, key: Buffer.from(`k${i}`), value: VALUE, headers });
      return (await RecordBatchEncoder({ records: [record], firstOffset: undefined })).buffer;
    }),
  );
}

/**
 * Baselines without tracing, through kafkajs's own encoding and decoding: plain messages, and
 * messages carrying trace headers. Their difference is what carrying a context through kafkajs
 * costs, apart from the cost of tracing.
 */
async function wireVariants(): Promise<Variant[]> {
  const out: Variant[] = [];
  for (const [name, headers] of [
    ['plain kafkajs, wire codec', undefined],
    ['plain kafkajs + trace headers, wire codec', TRACE_HEADERS],
  ] as const) {
    // An untraced application that writes the headers itself, as it would copy an upstream context.
    const message = headers ? (i: number): Message => ({ key: `k${i}`, value: VALUE, headers: { ...headers } }) : undefined;
    out.push({ name, producer: wireProducer(), eachMessage: async () => undefined, payloads: { kind: 'wire', batches: await wireBatches(headers) }, message });
  }
  return out;
}

function wrappedEachMessage(wrap: (c: Consumer) => Consumer): EachMessageHandler {
  let captured: ConsumerRunConfig | undefined;
  const consumer = { run: async (c?: ConsumerRunConfig) => void (captured = c) } as unknown as Consumer;
  void wrap(consumer).run({ eachMessage: async () => undefined });
  return captured?.eachMessage as EachMessageHandler;
}

function variants(): Variant[] {
  const out: Variant[] = [{ name: 'plain kafkajs', producer: stubbedProducer(), eachMessage: async () => undefined }];
  out.push({ name: 'ours, no provider', producer: instrumentProducer(stubbedProducer()), eachMessage: wrappedEachMessage((c) => instrumentConsumer(c)) });
  for (const [name, ratio, leanSpans] of [
    ['ours, 100% sampled', 1, true],
    ['ours, 1% sampled', 0.01, true],
    ['ours, SDK spans, 100% sampled', 1, false],
    ['ours, SDK spans, 1% sampled', 0.01, false],
  ] as const) {
    const tracing = discardingTracing({ sampleRatio: ratio, leanSpans });
    const opts = { tracerProvider: tracing.provider };
    out.push({ name, tracing, producer: instrumentProducer(stubbedProducer(), opts), eachMessage: wrappedEachMessage((c) => instrumentConsumer(c, opts)) });
  }
  return out;
}

/**
 * Makes `Kafka.prototype.producer()/consumer()` return clients with the network stubbed (the consumer's
 * `run` keeps its config), so that a patching instrumentation wraps them as it would real ones.
 * Returns the captured run config and a function that puts the real factories back.
 */
function stubFactories(): { captured: () => ConsumerRunConfig | undefined; restore: () => void } {
  const proto = kafkajs.Kafka.prototype;
  const realProducer = proto.producer;
  const realConsumer = proto.consumer;
  let captured: ConsumerRunConfig | undefined;
  proto.producer = function (this: Kafka, ...args: Parameters<Kafka['producer']>) {
    const p = realProducer.apply(this, args);
    const ack = [{ topicName: 'bench', partition: 0, errorCode: 0, baseOffset: '0' }];
    p.send = () => Promise.resolve(ack);
    return p;
  };
  proto.consumer = function (this: Kafka, ...args: Parameters<Kafka['consumer']>) {
    const c = realConsumer.apply(this, args);
    c.run = async (config?: ConsumerRunConfig) => void (captured = config);
    return c;
  };
  return {
    captured: () => captured,
    restore: () => {
      proto.producer = realProducer;
      proto.consumer = realConsumer;
    },
  };
}

/**
 * This package's drop-in instrumentation, patching kafkajs's `Kafka` over stubbed factories (its patch
 * applied to the loaded module, as its require hook would), beside the explicit wrappers of the same
 * run: the patched path should cost what the wrappers cost. Undone afterwards, before the anchor patches.
 */
function dropInVariant(): Variant {
  const tracing = discardingTracing();
  const stubs = stubFactories();
  const instrumentation = new KafkaTracingInstrumentation();
  instrumentation.setTracerProvider(tracing.provider);
  const definition = instrumentation.getModuleDefinitions().find((d) => d.name === 'kafkajs');
  if (!definition?.patch || !definition.unpatch) throw new Error('kafkajs-tracing/instrumentation: no kafkajs module definition');
  definition.patch(kafkajs);
  const client = new kafkajs.Kafka({ brokers: ['127.0.0.1:1'] });
  const producer = client.producer();
  void client.consumer({ groupId: 'bench' }).run({ eachMessage: async () => undefined });
  definition.unpatch(kafkajs);
  stubs.restore();
  const eachMessage = stubs.captured()?.eachMessage;
  if (!eachMessage) throw new Error('drop-in consumer did not capture eachMessage');
  return { name: DROP_IN_NAME, tracing, producer, eachMessage };
}

/**
 * The anchor, @opentelemetry/instrumentation-kafkajs, on the same harness. It wraps `send` and `run`
 * of every producer and consumer that `Kafka.prototype.producer()/consumer()` returns, so the network
 * stub goes in underneath it: the factories are first made to return stubbed clients, then the
 * instrumentation's own patch is applied to the loaded module (no require hook needed). Called after
 * the other variants' clients exist, so only the anchor's clients are patched.
 */
function anchorVariant(): Variant {
  const tracing = discardingTracing();
  const stubs = stubFactories();
  const { KafkaJsInstrumentation, version } = loadAnchor();
  const instrumentation = new KafkaJsInstrumentation({ enabled: false });
  instrumentation.setTracerProvider(tracing.provider);
  const definition = instrumentation.getModuleDefinitions().find((d) => d.name === 'kafkajs');
  if (!definition?.patch) throw new Error(`@opentelemetry/instrumentation-kafkajs ${version}: no kafkajs module definition`);
  definition.patch(kafkajs, (createRequire(__filename)('kafkajs/package.json') as { version: string }).version);
  const client = new kafkajs.Kafka({ brokers: ['127.0.0.1:1'] });
  const producer = client.producer();
  void client.consumer({ groupId: 'bench' }).run({ eachMessage: async () => undefined });
  const eachMessage = stubs.captured()?.eachMessage;
  if (!eachMessage) throw new Error('anchor consumer did not capture eachMessage');
  return { name: ANCHOR_NAME, tracing, producer, eachMessage };
}

const sampledHeader = Buffer.from('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
const unsampledHeader = Buffer.from('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00');
/** Messages as a producer sampling `ratio` of its traces would have written them (parent-based consumers follow the flag). */
function payload(i: number, ratio: number): EachMessagePayload {
  const traceparent = i % Math.round(1 / ratio) === 0 ? sampledHeader : unsampledHeader;
  const message = { key: Buffer.from(`k${i}`), value: VALUE, timestamp: String(Date.now()), attributes: 0, offset: String(i), headers: { traceparent } } as KafkaMessage;
  return { topic: 'bench', partition: 0, message, heartbeat: async () => undefined, pause: () => () => undefined };
}

async function produceOps(v: Variant, n: number): Promise<void> {
  if (v.message) {
    for (let i = 0; i < n; i++) await v.producer.send({ topic: 'bench', messages: [v.message(i)] });
    return;
  }
  for (let i = 0; i < n; i++) await v.producer.send({ topic: 'bench', messages: [{ key: `k${i}`, value: VALUE }] });
}
async function consumeOps(v: Variant, n: number, payloads: ConsumePayloads): Promise<void> {
  if (payloads.kind === 'ready') {
    for (let i = 0; i < n; i++) await v.eachMessage(payloads.list[i % payloads.list.length] as EachMessagePayload);
    return;
  }
  for (let i = 0; i < n; i++) {
    const { records } = await RecordBatchDecoder(new WireDecoder(payloads.batches[i % payloads.batches.length] as Buffer));
    const message = records[0] as KafkaMessage;
    await v.eachMessage({ topic: 'bench', partition: 0, message, heartbeat: async () => undefined, pause: () => () => undefined });
  }
}

/**
 * µs per op, wall clock and CPU (this process, all threads: the GC's helpers count). On a machine
 * shared with other work, the CPU figure does not include the time other processes held the cores.
 */
async function timeUs(fn: () => Promise<void>, n: number): Promise<{ wall: number; cpu: number }> {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await fn();
  const wall = Number(process.hrtime.bigint() - t0) / 1000 / n;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / n };
}

/** Bytes allocated per op: heap growth over a run short enough that no scavenge happens (large semi-space). */
async function bytesPerOp(fn: () => Promise<void>, n: number): Promise<number> {
  gc?.();
  const before = process.memoryUsage().heapUsed;
  await fn();
  return (process.memoryUsage().heapUsed - before) / n;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function main(): Promise<void> {
  if (!gc) throw new Error('run with node --expose-gc (npm run bench:in-process does)');
  // Both traced stacks run under what startTracing registers globally, as an application using it
  // would: its W3C propagator and an AsyncLocalStorage context manager, registered through the
  // anchor's API copy when it is the newer one (see bench/anchor.ts). One process: the context
  // manager's cost per promise on Node 20 lands in the plain baseline too (bench:e2e runs plain alone).
  const { api } = loadAnchor();
  api.propagation.setGlobalPropagator(w3cPropagator);
  api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  // ONLY=<regex> keeps the variants whose names match (plain kafkajs always runs: it is the baseline).
  const only = process.env.ONLY ? new RegExp(process.env.ONLY) : undefined;
  const all = [...variants(), dropInVariant(), anchorVariant(), ...(await wireVariants())];
  const vs = all.filter((v) => !only || v.name === 'plain kafkajs' || only.test(v.name));
  const payloads100: ConsumePayloads = { kind: 'ready', list: Array.from({ length: 1000 }, (_, i) => payload(i, 1)) };
  const payloads1: ConsumePayloads = { kind: 'ready', list: Array.from({ length: 1000 }, (_, i) => payload(i, 0.01)) };
  const payloadsFor = (v: Variant) => v.payloads ?? (v.name.endsWith('1% sampled') ? payloads1 : payloads100);
  const samples = new Map(vs.map((v) => [v.name, { produce: [] as number[], consume: [] as number[], produceCpu: [] as number[], consumeCpu: [] as number[], produceBytes: [] as number[], consumeBytes: [] as number[] }]));
  for (const v of vs) {
    await produceOps(v, 2000); // warm-up: let the JIT settle for every variant
    await consumeOps(v, 2000, payloadsFor(v));
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const v of vs) {
      const s = samples.get(v.name)!;
      const produced = await timeUs(() => produceOps(v, OPS), OPS);
      const consumed = await timeUs(() => consumeOps(v, OPS, payloadsFor(v)), OPS);
      s.produce.push(produced.wall);
      s.consume.push(consumed.wall);
      s.produceCpu.push(produced.cpu);
      s.consumeCpu.push(consumed.cpu);
      s.produceBytes.push(await bytesPerOp(() => produceOps(v, ALLOC_OPS), ALLOC_OPS));
      s.consumeBytes.push(await bytesPerOp(() => consumeOps(v, ALLOC_OPS, payloadsFor(v)), ALLOC_OPS));
      await v.tracing?.forceFlush();
    }
  }
  const plain = samples.get('plain kafkajs')!;
  const rows = vs.map((v) => {
    const s = samples.get(v.name)!;
    return {
      variant: v.name,
      produceUs: +median(s.produce).toFixed(3),
      consumeUs: +median(s.consume).toFixed(3),
      produceAddedUs: +(median(s.produce) - median(plain.produce)).toFixed(3),
      consumeAddedUs: +(median(s.consume) - median(plain.consume)).toFixed(3),
      produceCpuAddedUs: +(median(s.produceCpu) - median(plain.produceCpu)).toFixed(3),
      consumeCpuAddedUs: +(median(s.consumeCpu) - median(plain.consumeCpu)).toFixed(3),
      produceBytes: Math.round(median(s.produceBytes)),
      consumeBytes: Math.round(median(s.consumeBytes)),
      droppedSpans: v.tracing?.exportStats().droppedSpans ?? 0,
    };
  });
  const added = (name: string) => rows.find((r) => r.variant === name);
  const ours = added('ours, 100% sampled');
  const anchor = added(ANCHOR_NAME);
  const ratios =
    ours && anchor
      ? {
          'ours / anchor, added µs per produce': +(ours.produceAddedUs / anchor.produceAddedUs).toFixed(3),
          'ours / anchor, added µs per consume': +(ours.consumeAddedUs / anchor.consumeAddedUs).toFixed(3),
          'ours / anchor, added CPU µs per produce': +(ours.produceCpuAddedUs / anchor.produceCpuAddedUs).toFixed(3),
          'ours / anchor, added CPU µs per consume': +(ours.consumeCpuAddedUs / anchor.consumeCpuAddedUs).toFixed(3),
        }
      : {};
  const dropIn = added(DROP_IN_NAME);
  const patched =
    ours && dropIn
      ? {
          'instrumentation / explicit wrappers, added µs per produce': +(dropIn.produceAddedUs / ours.produceAddedUs).toFixed(3),
          'instrumentation / explicit wrappers, added µs per consume': +(dropIn.consumeAddedUs / ours.consumeAddedUs).toFixed(3),
          'instrumentation / explicit wrappers, added CPU µs per produce': +(dropIn.produceCpuAddedUs / ours.produceCpuAddedUs).toFixed(3),
          'instrumentation / explicit wrappers, added CPU µs per consume': +(dropIn.consumeCpuAddedUs / ours.consumeCpuAddedUs).toFixed(3),
        }
      : {};
  const wirePlain = added('plain kafkajs, wire codec');
  const wireHeaders = added('plain kafkajs + trace headers, wire codec');
  const carrying =
    wirePlain && wireHeaders
      ? {
          'trace headers through kafkajs, added µs per produce': +(wireHeaders.produceUs - wirePlain.produceUs).toFixed(3),
          'trace headers through kafkajs, added µs per consume': +(wireHeaders.consumeUs - wirePlain.consumeUs).toFixed(3),
          'trace headers through kafkajs, added bytes per produce': wireHeaders.produceBytes - wirePlain.produceBytes,
          'trace headers through kafkajs, added bytes per consume': wireHeaders.consumeBytes - wirePlain.consumeBytes,
        }
      : {};
  console.log(`in-process, ${ROUNDS} interleaved rounds of ${OPS} ops, medians (µs per message, wall clock and CPU; bytes allocated per message)`);
  console.table(rows);
  console.table(ratios);
  console.table(patched);
  console.table(carrying);
  const result = {
    bench: 'in-process',
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: +(totalmem() / 2 ** 30).toFixed(1), node: process.version, anchor: `@opentelemetry/instrumentation-kafkajs ${loadAnchor().version}` },
    command: 'npm run bench:in-process',
    rounds: ROUNDS,
    opsPerRound: OPS,
    rows,
    ratios,
    patched,
    carrying,
  };
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `in-process-${result.date.slice(0, 10)}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`written to ${file}`);
  for (const v of vs) await v.tracing?.shutdown();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
