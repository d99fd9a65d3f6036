// The first vertical slice, end to end on the real broker and the real Jaeger: one message produced
// by one service and consumed by another is one trace in Jaeger, with the consumer's span the child
// of the producer's span. Found through Jaeger's query API, not through an in-memory exporter.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { trace } from '@opentelemetry/api';
import { instrumentConsumer, instrumentProducer } from '../../src/index';
import { startTracing, type Tracing } from '../../src/setup/index';
import { JAEGER_QUERY_URL, uniqueTopic } from '../support/env';
import { collector, createTopics, disconnectAll, testKafka } from '../support/kafka';

interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  processID: string;
  references: { refType: string; traceID: string; spanID: string }[];
  tags: { key: string; value: unknown }[];
}
interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}

async function fetchTrace(traceId: string, minSpans: number, timeoutMs = 20000): Promise<JaegerTrace[]> {
  const deadline = Date.now() + timeoutMs;
  let last: JaegerTrace[] = [];
  while (Date.now() < deadline) {
    const res = await fetch(`${JAEGER_QUERY_URL}/api/traces/${traceId}`);
    if (res.ok) {
      last = ((await res.json()) as { data: JaegerTrace[] }).data ?? [];
      if (last.length > 0 && (last[0]?.spans.length ?? 0) >= minSpans) return last;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return last;
}

describe('first chain: produce → consume, found in the real Jaeger', () => {
  const topic = uniqueTopic('it-first-chain');
  const kafka = testKafka('it-first-chain');
  let producerTracing: Tracing;
  let consumerTracing: Tracing;

  before(async () => {
    // Two services in one process: two providers, neither global, each with its own service.name.
    consumerTracing = startTracing({ serviceName: 'it-first-consumer' });
    producerTracing = startTracing({ serviceName: 'it-first-producer', register: false });
    await createTopics(kafka, [topic]);
  });

  after(async () => {
    await producerTracing?.shutdown();
    await consumerTracing?.shutdown();
  });

  it('links the consumer span to the producer span through the traceparent header', async () => {
    const producer = instrumentProducer(kafka.producer(), { tracerProvider: producerTracing.provider });
    const consumer = instrumentConsumer(kafka.consumer({ groupId: `${topic}-group` }), {
      tracerProvider: consumerTracing.provider,
      groupId: `${topic}-group`,
    });
    const seen = collector<{ traceparent: string | undefined; activeTraceId: string | undefined }>(1);
    try {
      await producer.connect();
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          seen.record({
            traceparent: message.headers?.traceparent?.toString(),
            activeTraceId: trace.getActiveSpan()?.spanContext().traceId,
          });
        },
      });
      await producer.send({ topic, messages: [{ key: 'order-1', value: JSON.stringify({ id: 1 }) }] });
      const [got] = await seen.done;
      assert.ok(got?.traceparent, 'the consumed message carries a traceparent header');
      const traceId = got.traceparent.split('-')[1] as string;
      assert.match(traceId, /^[0-9a-f]{32}$/);
      assert.equal(got.activeTraceId, traceId, 'the handler runs inside a span of the same trace');
    } finally {
      await disconnectAll(consumer, producer);
    }

    await producerTracing.forceFlush();
    await consumerTracing.forceFlush();
    const traceId = (seen.items[0]?.traceparent as string).split('-')[1] as string;
    const traces = await fetchTrace(traceId, 2);
    assert.equal(traces.length, 1, `exactly one trace ${traceId} in Jaeger`);
    const [found] = traces as [JaegerTrace];
    assert.equal(found.spans.length, 2, `two spans, got ${found.spans.map((s) => s.operationName).join(', ')}`);
    const send = found.spans.find((s) => s.operationName === `send ${topic}`);
    const process = found.spans.find((s) => s.operationName === `process ${topic}`);
    assert.ok(send, 'a send span');
    assert.ok(process, 'a process span');
    const kind = (s: JaegerSpan) => s.tags.find((t) => t.key === 'span.kind')?.value;
    assert.equal(kind(send), 'producer');
    assert.equal(kind(process), 'consumer');
    const parent = process.references.find((r) => r.refType === 'CHILD_OF');
    assert.equal(parent?.spanID, send.spanID, 'the process span is the child of the send span');
    const service = (s: JaegerSpan) => found.processes[s.processID]?.serviceName;
    assert.equal(service(send), 'it-first-producer');
    assert.equal(service(process), 'it-first-consumer');
    assert.notEqual(service(send), service(process));
  });
});
