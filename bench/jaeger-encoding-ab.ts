// The Jaeger Thrift encoder of an earlier commit against today's, on the 2,048 Kafka spans of
// bench/jaeger-encoding.ts, interleaved rounds, medians: how much an encoder change saved, measured in
// one process. The earlier encoder is read from git, so any commit since it existed can be compared.
// Run: node --import tsx bench/jaeger-encoding-ab.ts [commit]   (default 8bb2414, before the tag cache)
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SpanKind } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import * as current from '../src/setup/jaeger-thrift';

type Encoder = typeof current.encodeBatch;
const commit = process.argv[2] ?? '8bb2414';
const SPANS = 2048;
const ROUNDS = 15;

async function earlierEncoder(): Promise<Encoder> {
  const source = execFileSync('git', ['show', `${commit}:src/setup/jaeger-thrift.ts`], { cwd: join(__dirname, '..'), encoding: 'utf8' });
  // Inside the checkout (.cache/ is git-ignored), so that its imports resolve to this node_modules.
  const dir = join(__dirname, '..', '.cache', 'bench');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `jaeger-thrift-${commit}.ts`);
  writeFileSync(file, source);
  return ((await import(file)) as { encodeBatch: Encoder }).encodeBatch;
}

function kafkaSpans(): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const resource = resourceFromAttributes({ 'service.name': 'payments', 'host.name': 'worker-7' });
  const tracer = new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(memory)] }).getTracer('kafkajs-tracing', '0.1.0');
  for (let i = 0; i < SPANS; i++) {
    const attributes = {
      'messaging.system': 'kafka', 'messaging.operation.name': 'process', 'messaging.operation.type': 'process', 'messaging.destination.name': 'orders',
      'messaging.destination.partition.id': String(i % 32), 'messaging.kafka.offset': 100000 + i, 'messaging.consumer.group.name': 'payments',
      'messaging.message.body.size': 1200, 'messaging.kafka.message.key': `order-${i}`, 'kafkajs_tracing.queue_time_ms': 12,
    };
    tracer.startSpan('process orders', { kind: SpanKind.CONSUMER, attributes }).end();
  }
  return memory.getFinishedSpans();
}

async function main(): Promise<void> {
  const spans = kafkaSpans();
  const process_ = { serviceName: 'payments', tags: [['host.name', 'worker-7']] as [string, string][] };
  const variants: Record<string, Encoder> = { [commit]: await earlierEncoder(), current: current.encodeBatch };
  const reference = variants[commit]!(process_, spans);
  if (!current.encodeBatch(process_, spans).equals(reference)) throw new Error(`the encoders of ${commit} and today write different bytes`);
  const samples: Record<string, number[]> = {};
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, encode] of Object.entries(variants)) {
      const t0 = process.hrtime.bigint();
      for (let k = 0; k < 5; k++) encode(process_, spans);
      (samples[name] ??= []).push(Number(process.hrtime.bigint() - t0) / 1000 / (5 * SPANS));
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  const rows = Object.keys(variants).map((name) => ({ encoder: name, 'µs per span': +median(samples[name]!).toFixed(3) }));
  console.log(`${SPANS} spans, ${ROUNDS} interleaved rounds, medians; same bytes from both (checked)`);
  console.table(rows);
  console.log(`current / ${commit}: ${(median(samples.current!) / median(samples[commit]!)).toFixed(3)}`);
}

void main();
