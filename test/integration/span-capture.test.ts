// The same chain over Jaeger and over SpanCapture: one provider per service exports every span both to
// the real Jaeger (OTLP/HTTP) and into a SpanCapture; the harness reads the trace from each source and
// must see the same spans (ids, parents, names, kinds, services, messaging attributes), and the same
// chain expectation must hold on both.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { instrumentConsumer, instrumentProducer } from '../../src/index';
import { OtlpHttpCollector } from '../../src/setup/otlp/http-collector';
import { otlpHttpConfig } from '../../src/setup/otlp/otlp-config';
import { JaegerQuery, SpanCapture, expectChain, waitForTrace, type Hop, type TraceView } from '../../src/harness/index';
import { JAEGER_ENDPOINT, JAEGER_QUERY_URL, uniqueTopic } from '../support/env';
import { collector, createTopics, disconnectAll, testKafka } from '../support/kafka';

const OTLP_URL = process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? `http://${new URL(JAEGER_ENDPOINT).hostname}:4318/v1/traces`;

/** What both sources must agree on, per span, in a stable order. */
function essence(trace: TraceView) {
  return trace.spans
    .map((s) => ({
      spanId: s.spanId,
      parentSpanId: s.parentSpanId,
      name: s.name,
      kind: s.kind,
      service: s.service,
      error: s.error,
      links: s.links,
      messaging: Object.fromEntries(Object.entries(s.tags).filter(([k]) => k.startsWith('messaging.')).sort(([a], [b]) => a.localeCompare(b))),
    }))
    .sort((a, b) => a.spanId.localeCompare(b.spanId));
}

describe('SpanCapture against the real Jaeger: one chain, two sources', () => {
  const topic = uniqueTopic('it-capture');
  const kafka = testKafka('it-capture');
  const capture = new SpanCapture();
  const provider = (service: string) =>
    new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': service }),
      spanProcessors: [new SimpleSpanProcessor(capture), new SimpleSpanProcessor(new OtlpHttpCollector(otlpHttpConfig({ url: OTLP_URL })!))],
    });
  const producerProvider = provider('it-capture-producer');
  const consumerProvider = provider('it-capture-consumer');

  before(async () => createTopics(kafka, [topic]));
  after(async () => {
    await producerProvider.shutdown();
    await consumerProvider.shutdown();
  });

  it('gives the same TraceView and passes the same expectChain', async () => {
    const producer = instrumentProducer(kafka.producer(), { tracerProvider: producerProvider });
    const consumer = instrumentConsumer(kafka.consumer({ groupId: `${topic}-g` }), { tracerProvider: consumerProvider, groupId: `${topic}-g` });
    const seen = collector<string>(1);
    try {
      await producer.connect();
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => seen.record(String(message.headers?.traceparent)) });
      await producer.send({ topic, messages: [{ key: 'o-1', value: '{}' }] });
      await seen.done;
    } finally {
      await disconnectAll(consumer, producer);
    }
    await producerProvider.forceFlush();
    await consumerProvider.forceFlush();
    const traceId = (seen.items[0] as string).split('-')[1] as string;

    const hops: Hop[] = [
      { name: `send ${topic}`, kind: 'producer', service: 'it-capture-producer' },
      { name: `process ${topic}`, kind: 'consumer', service: 'it-capture-consumer' },
    ];
    const fromCapture = await waitForTrace(capture, traceId, { minSpans: 2, timeoutMs: 5000 });
    const fromJaeger = await waitForTrace(new JaegerQuery(JAEGER_QUERY_URL), traceId, { minSpans: 2, timeoutMs: 20000 });
    expectChain(fromCapture, hops);
    expectChain(fromJaeger, hops);
    assert.deepEqual(essence(fromCapture), essence(fromJaeger));
  });
});
