// The collector tier of scripts/collector-tier/ for the tests in test/cluster/: control of its two
// Jaegers, and a pipeline of three services (a → topic → b → topic → c) on the cluster whose spans go
// over OTLP to the gateway. Messages whose value starts with `err` get an error span in service c, at
// the end of the trace; those starting with `keep` are sent inside an error span of service a, at its
// start, so the gateway sees the error in the trace's first spans whatever the consumers' lag.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SpanStatusCode, context, trace, type Span } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { Kafka, KafkaMessage, Producer } from 'kafkajs';
import { instrumentConsumer, instrumentProducer } from '../../src/index';
import { startTracing } from '../../src/setup/index';
import { JaegerQuery } from '../../src/harness/index';
import type { JaegerTrace } from '../../src/harness/types';
import { createClusterTopic } from './cluster';
import { uniqueTopic } from './env';

const run = promisify(execFile);
const script = join(__dirname, '..', '..', 'scripts', 'collector-tier', 'tier.sh');

/** Where services send spans: the gateway's OTLP/HTTP receiver. */
export const GATEWAY_OTLP = 'http://127.0.0.1:24318/v1/traces';
/** The ingester's query API. */
export const TIER_QUERY = new JaegerQuery('http://127.0.0.1:26686');

/** Stops (SIGTERM) or starts one Jaeger of the tier; start returns once it is healthy. */
export async function tier(action: 'stop' | 'start', which: 'gateway' | 'ingester'): Promise<void> {
  await run('bash', [script, action, which], { timeout: 120000 });
}

type Tracing = ReturnType<typeof startTracing>;

/** Three services in one process, each with its own tracer provider exporting over OTLP to the gateway. */
export interface Pipeline {
  services: Record<'a' | 'b' | 'c', Tracing>;
  /** Sends one message into service a; resolves when the broker acked it. */
  send(value: string): Promise<void>;
  /** Trace id of each message service c has processed, by value. */
  done: Map<string, string>;
  close(): Promise<void>;
}

export async function startPipeline(kafka: Kafka, name: string): Promise<Pipeline> {
  // The services do not register themselves (three in one process); a context manager is what carries
  // b's process span into its forwarding send. setGlobalContextManager keeps one already set.
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const [t1, t2] = [uniqueTopic(`${name}-1`), uniqueTopic(`${name}-2`)];
  await createClusterTopic(kafka, t1, 3);
  await createClusterTopic(kafka, t2, 3);
  const tracing = (svc: string): Tracing =>
    startTracing({
      serviceName: `${name}-${svc}`,
      exporter: 'otlp',
      otlp: { url: GATEWAY_OTLP },
      register: false,
      batch: { scheduledDelayMillis: 100, exportTimeoutMillis: 5000 },
      retry: { initialBackoffMillis: 200, maxBackoffMillis: 1000 },
    });
  const services = { a: tracing('a'), b: tracing('b'), c: tracing('c') };
  const done = new Map<string, string>();
  const producerA = instrumentProducer(kafka.producer(), { tracerProvider: services.a.provider });
  const producerB = instrumentProducer(kafka.producer(), { tracerProvider: services.b.provider });
  const consumerB = instrumentConsumer(kafka.consumer({ groupId: `${t1}-b` }), { tracerProvider: services.b.provider });
  const consumerC = instrumentConsumer(kafka.consumer({ groupId: `${t2}-c` }), { tracerProvider: services.c.provider });
  const tracerA = services.a.provider.getTracer('tier-test');
  const tracerC = services.c.provider.getTracer('tier-test');
  // Messages are sent only once both consumers hold their partitions: a trace is decided a few seconds
  // after its first span, and a group still forming would put its later spans after the decision.
  const joined = Promise.all([consumerB, consumerC].map((c) => new Promise<void>((resolve) => c.on(c.events.GROUP_JOIN, () => resolve()))));
  await Promise.all([producerA.connect(), producerB.connect(), consumerB.connect(), consumerC.connect()]);
  await consumerB.subscribe({ topics: [t1], fromBeginning: true });
  await consumerC.subscribe({ topics: [t2], fromBeginning: true });
  await consumerB.run({
    partitionsConsumedConcurrently: 3,
    // The forward runs inside b's process span, so c's spans join the same trace.
    eachMessage: async ({ message }: { message: KafkaMessage }) => void (await (producerB as Producer).send({ topic: t2, acks: -1, messages: [{ value: message.value }] })),
  });
  await consumerC.run({
    partitionsConsumedConcurrently: 3,
    eachMessage: async ({ message }: { message: KafkaMessage }) => {
      const value = String(message.value);
      if (value.startsWith('err')) {
        const span: Span = tracerC.startSpan('validate', {}, context.active());
        span.setStatus({ code: SpanStatusCode.ERROR, message: 'rejected by the test' });
        span.end();
      }
      const tp = String(message.headers?.traceparent ?? '');
      done.set(value, tp.split('-')[1] ?? '');
    },
  });
  await joined;
  return {
    services,
    done,
    async send(value: string) {
      if (!value.startsWith('keep')) {
        await producerA.send({ topic: t1, acks: -1, messages: [{ value }] });
        return;
      }
      const span = tracerA.startSpan('checkout');
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'marked by the test' });
      try {
        await context.with(trace.setSpan(context.active(), span), () => producerA.send({ topic: t1, acks: -1, messages: [{ value }] }));
      } finally {
        span.end();
      }
    },
    async close() {
      await Promise.all([consumerB, consumerC, producerA, producerB].map((c) => c.disconnect().catch(() => undefined)));
      await Promise.all(Object.values(services).map((s) => s.shutdown().catch(() => undefined)));
    },
  };
}

/** The spans a complete trace of a message has: a's send, b's process and send, c's process (and the error span). */
export function expectedSpans(value: string): number {
  return value.startsWith('err') || value.startsWith('keep') ? 5 : 4;
}

/** Services of a stored trace. */
export function servicesOf(trace: JaegerTrace): Set<string> {
  return new Set(trace.spans.map((s) => trace.processes[s.processID]?.serviceName ?? '?'));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Looks each message's trace up in the ingester's storage until every trace in `mustHave` is there
 * with all its spans (or the time is up); then once more for the others. Resolves to the stored traces.
 */
export async function collectStored(done: Map<string, string>, mustHave: (value: string) => boolean, timeoutMs: number): Promise<Map<string, JaegerTrace>> {
  const stored = new Map<string, JaegerTrace>();
  const deadline = Date.now() + timeoutMs;
  const look = async (value: string) => {
    const id = done.get(value);
    if (!id) return;
    const trace = await TIER_QUERY.getTrace(id).catch(() => undefined);
    if (trace) stored.set(value, trace);
  };
  const complete = (v: string) => (stored.get(v)?.spans.length ?? 0) >= expectedSpans(v);
  for (;;) {
    const waiting = [...done.keys()].filter((v) => mustHave(v) && !complete(v));
    if (!waiting.length || Date.now() > deadline) break;
    for (const v of waiting) await look(v);
    if ([...done.keys()].some((v) => mustHave(v) && !complete(v))) await sleep(1000);
  }
  await sleep(1000);
  for (const v of done.keys()) if (!mustHave(v)) await look(v);
  return stored;
}
