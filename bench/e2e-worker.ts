// One variant of the end-to-end benchmark, in its own process so CPU and RSS are its own:
// produce N messages to the real broker and consume them, traced (or not) and exported to the real Jaeger.
// Prints one line "RESULT <json>". Started by bench/e2e.ts; see bench/README.md.
import { parseArgs } from 'node:util';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import type { Kafka as KafkaClass, KafkaConfig } from 'kafkajs';
import { startTracing, type Tracing } from '../dist/setup/index';
import { traceKafka } from '../dist/index'; // the built package, as users run it (tsx's module getters would add cost of their own)
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { loadAnchor } from './anchor';

const { values } = parseArgs({
  options: {
    variant: { type: 'string', default: 'plain' }, // plain | plain-headers | ours | official
    messages: { type: 'string', default: '20000' },
    size: { type: 'string', default: '1200' },
    partitions: { type: 'string', default: '8' },
    batch: { type: 'string', default: '50' }, // messages per send call
    inflight: { type: 'string', default: '8' }, // send calls in flight
    rate: { type: 'string', default: '0' }, // messages/s to pace at; 0 = as fast as possible
    exporter: { type: 'string', default: 'jaeger' }, // jaeger | otlp
    brokers: { type: 'string', default: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092' },
    replication: { type: 'string', default: '1' }, // replication factor of the bench topic (3 on the cluster)
    client: { type: 'string', default: 'kafkajs' }, // kafkajs | confluent (plain and ours only: bench/e2e-confluent.ts)
  },
});
const variant = values.variant as 'plain' | 'plain-headers' | 'ours' | 'official';
const untraced = variant === 'plain' || variant === 'plain-headers';
const N = Number(values.messages);
const BATCH = Number(values.batch);
const RATE = Number(values.rate);

let tracing: Tracing | undefined;
if (!untraced) {
  tracing = startTracing({
    serviceName: `bench-${variant}`,
    exporter: values.exporter === 'otlp' ? 'otlp' : 'jaeger',
    otlp: { url: process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? 'http://127.0.0.1:4318/v1/traces' },
    // The anchor's process registers the same globals itself, through the anchor's API copy (bench/anchor.ts).
    register: variant !== 'official',
  });
}
if (variant === 'official') {
  // The official auto-instrumentation patches kafkajs through require hooks: enable it before kafkajs loads.
  const { KafkaJsInstrumentation, api } = loadAnchor();
  api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  api.propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
  api.trace.setGlobalTracerProvider(tracing!.provider);
  const instrumentation = new KafkaJsInstrumentation();
  instrumentation.setTracerProvider(tracing!.provider);
  instrumentation.enable();
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Kafka, logLevel } = require('kafkajs') as typeof import('kafkajs');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** The consumer's handler: gets each message's producer timestamp (ms, as a string). */
export type EachMessage = (payload: { message: { timestamp: string } }) => Promise<void>;
/** What the measured run needs of a client: a connected producer, and a consumer already running and joined. */
export interface BenchPair {
  producer: { send(record: { topic: string; messages: { key: string; value: Buffer }[] }): Promise<unknown>; disconnect(): Promise<void> };
  consumer: { disconnect(): Promise<void> };
}

/** The kafkajs producer and consumer group on a fresh topic, the consumer running `eachMessage` and joined. */
async function kafkajsPair(topic: string, eachMessage: EachMessage): Promise<BenchPair> {
  const config: KafkaConfig = { clientId: `bench-${variant}`, brokers: values.brokers!.split(','), logLevel: logLevel.NOTHING };
  let kafka: KafkaClass = new Kafka(config);
  if (variant === 'ours') kafka = traceKafka(kafka);
  const admin = kafka.admin();
  await admin.connect();
  // A broker started seconds before may not yet know everywhere the topic it just created (kafkajs then
  // throws UNKNOWN_TOPIC_OR_PARTITION while waiting for leaders): asked again, for up to 30 s.
  for (const deadline = Date.now() + 30_000; ; ) {
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: Number(values.partitions), replicationFactor: Number(values.replication) }], waitForLeaders: true });
      break;
    } catch (err) {
      if ((err as { type?: string }).type !== 'UNKNOWN_TOPIC_OR_PARTITION' || Date.now() > deadline) throw err;
      await sleep(500);
    }
  }
  await admin.disconnect();

  const producer = kafka.producer({ allowAutoTopicCreation: false });
  const consumer = kafka.consumer({ groupId: `${topic}-g`, maxBytes: 64 << 20 });
  await Promise.all([producer.connect(), consumer.connect()]);
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const joined = new Promise<void>((r) => consumer.on(consumer.events.GROUP_JOIN, () => r()));
  await consumer.run({ partitionsConsumedConcurrently: Math.min(8, Number(values.partitions)), eachMessage });
  await joined;
  return { producer, consumer };
}

async function main(): Promise<void> {
  const confluent = values.client === 'confluent';
  if (confluent && variant === 'official') throw new Error('the official instrumentation patches kafkajs only: no --client confluent');
  const topic = `bench-${confluent ? 'confluent-' : ''}${variant}-${Date.now().toString(36)}`;
  const latencies: number[] = [];
  let consumed = 0;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const eachMessage: EachMessage = async ({ message }) => {
    latencies.push(Date.now() - Number(message.timestamp));
    if (++consumed === N) resolveDone();
  };
  // Confluent's package is loaded only for its runs (a native addon, from NODE_PATH).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loadConfluent = () => require('./e2e-confluent') as typeof import('./e2e-confluent');
  const { producer, consumer } = confluent
    ? await loadConfluent().confluentPair({
        topic,
        brokers: values.brokers!.split(','),
        partitions: Number(values.partitions),
        traced: variant === 'ours',
        eachMessage,
      })
    : await kafkajsPair(topic, eachMessage);

  let peakRss = process.memoryUsage().rss;
  const rssSamples: number[] = [];
  const sampler = setInterval(() => {
    const rss = process.memoryUsage().rss;
    peakRss = Math.max(peakRss, rss);
    rssSamples.push(rss);
  }, 100);
  const value = Buffer.alloc(Number(values.size), 0x61);
  // plain-headers: untraced, but each message carries what ours writes on a first hop (a traceparent;
  // no tracestate since issue 22), to separate kafkajs's cost of carrying headers from tracing's.
  const headers = variant === 'plain-headers' ? () => ({ traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }) : () => undefined;
  // Event-loop delay and time spent in garbage collection over the measured run.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  let gcMs = 0;
  const gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcMs += e.duration;
  });
  gc.observe({ entryTypes: ['gc'] });
  loopDelay.enable();
  // The parent stages collector outages from this moment (bench/e2e.ts --outage).
  process.stdout.write('START\n');
  const cpu0 = process.cpuUsage();
  const t0 = Date.now();
  let sent = 0;
  const sendLoop = async () => {
    while (sent < N) {
      const n = Math.min(BATCH, N - sent);
      const first = sent;
      sent += n;
      if (RATE > 0) {
        const due = t0 + (first / RATE) * 1000;
        if (due > Date.now()) await sleep(due - Date.now());
      }
      await producer.send({ topic, messages: Array.from({ length: n }, (_, i) => ({ key: `k${first + i}`, value, headers: headers() })) });
    }
  };
  await Promise.all(Array.from({ length: Number(values.inflight) }, sendLoop));
  await done;
  const seconds = (Date.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  loopDelay.disable();
  gc.disconnect();
  clearInterval(sampler);
  await Promise.all([producer.disconnect(), consumer.disconnect()]);
  await tracing?.shutdown();
  latencies.sort((a, b) => a - b);
  const third = Math.floor(rssSamples.length / 3);
  const result = {
    variant,
    client: values.client,
    exporter: untraced ? null : values.exporter,
    messages: N,
    seconds: +seconds.toFixed(2),
    messagesPerSecond: Math.round(N / seconds),
    latencyP50Ms: percentile(latencies, 50),
    latencyP99Ms: percentile(latencies, 99),
    cpuSeconds: +((cpu.user + cpu.system) / 1e6).toFixed(2),
    cpuMicrosPerMessage: +((cpu.user + cpu.system) / N).toFixed(1),
    eventLoopDelayP99Ms: +(loopDelay.percentile(99) / 1e6).toFixed(1),
    gcSeconds: +(gcMs / 1000).toFixed(2),
    peakRssMiB: +(peakRss / 2 ** 20).toFixed(1),
    // RSS drift: mean of the last third of the run minus mean of the first third.
    rssDriftMiB: rssSamples.length >= 6 ? +((avg(rssSamples.slice(-third)) - avg(rssSamples.slice(0, third))) / 2 ** 20).toFixed(1) : null,
    spans: tracing ? tracing.exportStats() : null,
  };
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

function avg(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
