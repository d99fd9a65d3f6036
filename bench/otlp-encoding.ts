// Cost and size of a batch of Kafka spans in each encoding startTracing can send, side by side: Jaeger
// Thrift (ours, src/setup/jaeger-thrift.ts), OTLP protobuf (ours, src/setup/otlp/, span by span as the
// encoding processor writes it), and @opentelemetry/otlp-transformer's protobuf and JSON serializers
// (what @opentelemetry/exporter-trace-otlp-proto / -http do per export). Same 2,048 spans, same
// resource, interleaved rounds, medians. Run: npm run bench:encoding
import { deflateRawSync } from 'node:zlib';
import { SpanKind } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { encodeBatch } from '../dist/setup/jaeger-thrift';
import { OtlpBatchBuilder, encodeResource } from '../dist/setup/otlp/batch-builder';

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
const encodedResource = encodeResource(resource);
// As the encoding processor keeps it: one builder, reused batch after batch.
const builder = new OtlpBatchBuilder(encodedResource, SPANS * 500);
type Serialize = (s: typeof spans) => Uint8Array | undefined;

const variants: Record<string, () => Uint8Array> = {
  'thrift (ours)': () => encodeBatch({ serviceName: 'payments', tags: processTags }, spans),
  'otlp protobuf (ours)': () => {
    for (const span of spans) builder.add(span);
    return builder.finish();
  },
  'otlp protobuf (otlp-transformer)': () => (ProtobufTraceSerializer.serializeRequest as Serialize)(spans) as Uint8Array,
  'otlp json (otlp-transformer)': () => (JsonTraceSerializer.serializeRequest as Serialize)(spans) as Uint8Array,
};
const samples: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
const bytes: Record<string, number> = {};
// What a held body costs in the retry budget: deflated at level 1, as the export queue holds it.
const held: Record<string, number> = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, run] of Object.entries(variants)) {
    const t0 = process.hrtime.bigint();
    let body: Uint8Array = new Uint8Array(0);
    for (let k = 0; k < 5; k++) body = run();
    samples[name]!.push(Number(process.hrtime.bigint() - t0) / 1000 / (5 * SPANS));
    bytes[name] = body.length / SPANS;
    held[name] = deflateRawSync(body, { level: 1 }).length / SPANS;
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
console.log(`${SPANS} Kafka consumer spans per batch, ${ROUNDS} interleaved rounds, medians`);
console.table(Object.keys(variants).map((name) => ({ encoding: name, 'µs per span': +median(samples[name]!).toFixed(2), 'bytes per span': Math.round(bytes[name]!), 'held (deflated) bytes per span': Math.round(held[name]!) })));
