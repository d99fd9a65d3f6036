// Cost of turning a batch of Kafka spans into the Jaeger collector's Thrift body, side by side:
// @opentelemetry/exporter-jaeger's path (its spanToThrift, then jaeger-client's Thrift codec, as its
// HTTP sender does) against ours (src/setup/jaeger-thrift.ts). Same 2,048 spans, same resource,
// interleaved rounds, medians. Run: npm run bench:encoding
import { createRequire } from 'node:module';
import { SpanKind } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { encodeBatch } from '../dist/setup/jaeger-thrift';

const requireFromHere = createRequire(__filename);
const { spanToThrift } = requireFromHere('@opentelemetry/exporter-jaeger/build/src/transform') as { spanToThrift: (s: ReadableSpan) => unknown };
const { HTTPSender } = requireFromHere('@opentelemetry/exporter-jaeger/build/src/types') as {
  HTTPSender: new (o: object) => { _jaegerThrift: { Span: new (s: unknown) => unknown; Batch: (new (b: unknown) => unknown) & { rw: { toBuffer(b: unknown): { value: Buffer } } } } };
};
const codec = new HTTPSender({ endpoint: 'http://127.0.0.1:1/api/traces' })._jaegerThrift;

const SPANS = 2048;
const ROUNDS = 9;
// A resource like startTracing's: service, version, SDK, host and process attributes.
const resource = resourceFromAttributes({
  'service.name': 'payments', 'service.version': '1.4.2', 'telemetry.sdk.language': 'nodejs', 'telemetry.sdk.name': 'opentelemetry',
  'telemetry.sdk.version': '2.11.0', 'host.name': 'worker-7', 'host.arch': 'amd64', 'process.pid': 4242, 'process.runtime.name': 'nodejs', 'process.runtime.version': '20.20.2',
});
const memory = new InMemorySpanExporter();
const tracer = new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(memory)] }).getTracer('kafkajs-tracing', '0.1.0');
for (let i = 0; i < SPANS; i++) {
  tracer.startSpan('process orders', {
    kind: SpanKind.CONSUMER,
    attributes: {
      'messaging.system': 'kafka', 'messaging.operation.name': 'process', 'messaging.operation.type': 'process', 'messaging.destination.name': 'orders',
      'messaging.destination.partition.id': String(i % 32), 'messaging.kafka.offset': 100000 + i, 'messaging.consumer.group.name': 'payments',
      'messaging.message.body.size': 1200, 'messaging.kafka.message.key': `order-${i}`, 'messaging.kafka.message.end_to_end_latency_ms': 12,
    },
  }).end();
}
const spans = memory.getFinishedSpans();
const processTags = Object.entries(resource.attributes).filter(([k]) => k !== 'service.name') as [string, string | number][];

const variants = {
  'exporter-jaeger': () => codec.Batch.rw.toBuffer(new codec.Batch({ process: { serviceName: 'payments', tags: [] }, spans: spans.map((s) => new codec.Span(spanToThrift(s))) })).value,
  ours: () => encodeBatch({ serviceName: 'payments', tags: processTags }, spans),
};
const samples: Record<string, number[]> = { 'exporter-jaeger': [], ours: [] };
const bytes: Record<string, number> = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, run] of Object.entries(variants)) {
    const t0 = process.hrtime.bigint();
    let body: Buffer = Buffer.alloc(0);
    for (let k = 0; k < 5; k++) body = run();
    samples[name]!.push(Number(process.hrtime.bigint() - t0) / 1000 / (5 * SPANS));
    bytes[name] = body.length / SPANS;
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const rows = Object.keys(variants).map((name) => ({ encoder: name, 'µs per span': +median(samples[name]!).toFixed(2), 'bytes per span': Math.round(bytes[name]!) }));
console.log(`${SPANS} spans per batch, ${ROUNDS} interleaved rounds, medians`);
console.table(rows);
console.log(`ours / exporter-jaeger: time ${(median(samples.ours!) / median(samples['exporter-jaeger']!)).toFixed(3)}, bytes ${(bytes.ours! / bytes['exporter-jaeger']!).toFixed(3)}`);
