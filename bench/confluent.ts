// Confluent's KafkaJS-compatible client, plain vs traced, in one run, variants interleaved round after
// round and medians compared (this machine is noisy). Two parts:
//  1. in process, no network: real Confluent producer/consumer objects (never connected) whose `send`
//     resolves at once and whose `run` hands over its eachMessage handler, called with payloads shaped
//     as Confluent delivers them (Buffer headers, string offsets): the middleware's own cost per message;
//  2. against the local broker: N sends in flight at once through a connected producer, then one
//     consumer group reading them (first to last message): messages/s through the real client.
// Run: npm run bench:confluent  (part 2 needs Kafka up: npm run infra:up; BROKER=0 skips it)
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { KafkaJS } from '@confluentinc/kafka-javascript';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { startTracing, type Tracing } from '../dist/setup/index';
import { instrumentConsumer, instrumentProducer } from '../dist/index';

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const OPS = Number(process.env.OPS ?? 20000);
const BROKER_MESSAGES = Number(process.env.BROKER_MESSAGES ?? 5000);
const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const VALUE = Buffer.alloc(1200, 0x61);

class DiscardExporter implements SpanExporter {
  export(_spans: ReadableSpan[], done: (r: ExportResult) => void): void {
    done({ code: ExportResultCode.SUCCESS });
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const kafka = new KafkaJS.Kafka({ kafkaJS: { brokers: BROKERS, logLevel: KafkaJS.logLevel.NOTHING } });
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

function tracing(): Tracing {
  return startTracing({
    serviceName: 'bench-confluent',
    exporter: new DiscardExporter(),
    register: false,
    batch: { maxQueueSize: 1_000_000, maxExportBatchSize: 512, scheduledDelayMillis: 100 },
  });
}

type Handler = (payload: KafkaJS.EachMessagePayload) => Promise<void>;
interface InProcessVariant {
  name: string;
  send: (record: KafkaJS.ProducerRecord) => Promise<unknown>;
  eachMessage: Handler;
}

type Options = Parameters<typeof instrumentProducer>[1] | undefined;

function inProcessVariant(name: string, options: Options | false): InProcessVariant {
  const producer = kafka.producer();
  const ack = [{ topicName: 'bench', partition: 0, errorCode: 0, baseOffset: '0' }];
  producer.send = () => Promise.resolve(ack);
  const consumer = kafka.consumer({ kafkaJS: { groupId: 'bench' } });
  let captured: Handler | undefined;
  consumer.run = async (config) => void (captured = config?.eachMessage);
  const p = options === false ? producer : instrumentProducer(producer, options);
  void (options === false ? consumer : instrumentConsumer(consumer, options)).run({ eachMessage: async () => undefined });
  if (!captured) throw new Error('no eachMessage captured');
  return { name, send: (r) => p.send(r), eachMessage: captured };
}

const header = Buffer.from('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
const payloads: KafkaJS.EachMessagePayload[] = Array.from({ length: 1000 }, (_, i) => ({
  topic: 'bench',
  partition: 0,
  message: { key: Buffer.from(`k${i}`), value: VALUE, timestamp: String(Date.now()), attributes: 0, offset: String(i), headers: { traceparent: header } },
  heartbeat: async () => undefined,
  pause: () => () => undefined,
}));

async function timeUs(fn: () => Promise<void>, n: number): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1000 / n;
}

async function inProcess(): Promise<Record<string, number | string>[]> {
  const traced = tracing();
  const vs = [
    inProcessVariant('plain Confluent', false),
    inProcessVariant('traced, no provider', undefined),
    inProcessVariant('traced, 100% sampled', { tracerProvider: traced.provider }),
  ];
  const produce = async (v: InProcessVariant, n: number) => {
    for (let i = 0; i < n; i++) await v.send({ topic: 'bench', messages: [{ key: `k${i}`, value: VALUE }] });
  };
  const consume = async (v: InProcessVariant, n: number) => {
    for (let i = 0; i < n; i++) await v.eachMessage(payloads[i % payloads.length] as KafkaJS.EachMessagePayload);
  };
  const samples = new Map(vs.map((v) => [v.name, { produce: [] as number[], consume: [] as number[] }]));
  for (const v of vs) {
    await produce(v, 2000);
    await consume(v, 2000);
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const v of vs) {
      samples.get(v.name)?.produce.push(await timeUs(() => produce(v, OPS), OPS));
      samples.get(v.name)?.consume.push(await timeUs(() => consume(v, OPS), OPS));
      await traced.forceFlush();
    }
  }
  await traced.shutdown();
  const plain = samples.get('plain Confluent') as { produce: number[]; consume: number[] };
  return vs.map((v) => {
    const s = samples.get(v.name) as { produce: number[]; consume: number[] };
    return {
      variant: v.name,
      produceUs: +median(s.produce).toFixed(3),
      consumeUs: +median(s.consume).toFixed(3),
      produceAddedUs: +(median(s.produce) - median(plain.produce)).toFixed(3),
      consumeAddedUs: +(median(s.consume) - median(plain.consume)).toFixed(3),
    };
  });
}

/** One round on the broker: BROKER_MESSAGES sends in flight at once, then a fresh group reads them all. */
async function brokerRound(traced: Tracing | undefined, round: number): Promise<{ produceMsgS: number; consumeMsgS: number }> {
  const topic = `bench-cf-${Date.now().toString(36)}-${round}-${traced ? 't' : 'p'}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 4 }] });
  await admin.disconnect();
  const opts = traced ? { tracerProvider: traced.provider } : undefined;
  const rawProducer = kafka.producer({ 'linger.ms': 5 });
  const producer = opts ? instrumentProducer(rawProducer, opts) : rawProducer;
  await producer.connect();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: BROKER_MESSAGES }, (_, i) => producer.send({ topic, messages: [{ key: `k${i}`, value: VALUE }] })));
  const produceMs = performance.now() - t0;
  await producer.disconnect();
  const rawConsumer = kafka.consumer({ kafkaJS: { groupId: `${topic}-g`, fromBeginning: true } });
  const consumer = opts ? instrumentConsumer(rawConsumer, opts) : rawConsumer;
  await consumer.connect();
  await consumer.subscribe({ topics: [topic] });
  let first = 0;
  let count = 0;
  const consumeMs = await new Promise<number>((resolve) => {
    void consumer.run({
      eachMessage: async () => {
        if (count === 0) first = performance.now();
        if (++count === BROKER_MESSAGES) resolve(performance.now() - first);
      },
    });
  });
  await consumer.disconnect();
  await traced?.forceFlush();
  return { produceMsgS: Math.round(BROKER_MESSAGES / (produceMs / 1000)), consumeMsgS: Math.round(BROKER_MESSAGES / (consumeMs / 1000)) };
}

async function onBroker(): Promise<Record<string, number | string>[]> {
  const traced = tracing();
  const samples = { plain: { p: [] as number[], c: [] as number[] }, traced: { p: [] as number[], c: [] as number[] } };
  for (let round = 0; round < Math.max(3, Math.ceil(ROUNDS / 2)); round++) {
    for (const [name, t] of [
      ['plain', undefined],
      ['traced', traced],
    ] as const) {
      const r = await brokerRound(t, round);
      samples[name].p.push(r.produceMsgS);
      samples[name].c.push(r.consumeMsgS);
    }
  }
  await traced.shutdown();
  return (['plain', 'traced'] as const).map((name) => ({
    variant: name === 'plain' ? 'plain Confluent' : 'traced, 100% sampled',
    produceMsgPerS: median(samples[name].p),
    consumeMsgPerS: median(samples[name].c),
    tracedOverPlainProduce: +(median(samples[name].p) / median(samples.plain.p)).toFixed(3),
    tracedOverPlainConsume: +(median(samples[name].c) / median(samples.plain.c)).toFixed(3),
  }));
}

async function main(): Promise<void> {
  const inProc = await inProcess();
  console.log(`Confluent in process, ${ROUNDS} interleaved rounds of ${OPS} ops, medians (µs per message)`);
  console.table(inProc);
  let broker: Record<string, number | string>[] | undefined;
  if (process.env.BROKER !== '0') {
    broker = await onBroker();
    console.log(`Confluent against the local broker, ${BROKER_MESSAGES} messages of ${VALUE.length} B per round, 4 partitions, medians`);
    console.table(broker);
  }
  const result = {
    bench: 'confluent',
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: +(totalmem() / 2 ** 30).toFixed(1), node: process.version, client: '@confluentinc/kafka-javascript 1.10.1' },
    command: 'npm run bench:confluent',
    rounds: ROUNDS,
    opsPerRound: OPS,
    inProcess: inProc,
    broker,
  };
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `confluent-${result.date.slice(0, 10)}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`written to ${file}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
