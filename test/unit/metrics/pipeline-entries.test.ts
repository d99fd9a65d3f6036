// The pipeline entry arrives in each message's tracestate: any producer could create metric series at
// will with it (5,000 distinct entries once gave the SDK's 2,000-series cap and pushed legitimate series
// into overflow). The metric attribute comes from a bounded set instead; the span keeps the entry.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DiagLogLevel, diag } from '@opentelemetry/api';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Consumer, ConsumerRunConfig, EachMessagePayload, KafkaMessage } from 'kafkajs';
import { instrumentConsumer } from '../../../src/index';
import type { ConsumerInstrumentationOptions } from '../../../src/index';

async function consumeWithEntries(entries: string[], options: Partial<ConsumerInstrumentationOptions> = {}) {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3600000 });
  const meterProvider = new MeterProvider({ readers: [reader] });
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  let config: ConsumerRunConfig | undefined;
  const fake = { run: async (c?: ConsumerRunConfig) => void (config = c) } as unknown as Consumer;
  const consumer = instrumentConsumer(fake, { meterProvider, tracerProvider, groupId: 'g', ...options });
  await consumer.run({ eachMessage: async () => undefined });
  const origin = (Date.now() - 5).toString(36);
  for (const [i, entry] of entries.entries()) {
    const traceId = (i + 1).toString(16).padStart(32, '0');
    const message = {
      key: null,
      value: Buffer.from('x'),
      timestamp: String(Date.now()),
      attributes: 0,
      offset: String(i),
      headers: { traceparent: Buffer.from(`00-${traceId}-00000000000000aa-01`), tracestate: Buffer.from(`kjt=${origin}:1:${entry}`) },
    } as unknown as KafkaMessage;
    await config?.eachMessage?.({ topic: 'payments', partition: 0, message, heartbeat: async () => undefined, pause: () => () => undefined } as EachMessagePayload);
  }
  const { resourceMetrics } = await reader.collect();
  const latency = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === 'kafkajs_tracing.pipeline.latency');
  const series = (latency?.dataPoints ?? []).map((p) => String(p.attributes['kafkajs_tracing.pipeline.entry']));
  const spanEntries = spans.getFinishedSpans().map((s) => s.attributes['kafkajs_tracing.pipeline.entry']);
  return { series, spanEntries };
}

describe('pipeline latency: entry values', () => {
  it('5,000 distinct entries from messages make a bounded number of series, said once through diag', async () => {
    const warnings: string[] = [];
    diag.setLogger({ warn: (m: string) => void warnings.push(m), error: () => undefined, info: () => undefined, debug: () => undefined, verbose: () => undefined }, DiagLogLevel.WARN);
    try {
      const entries = Array.from({ length: 5000 }, (_, i) => `hostile-${i}`);
      const { series, spanEntries } = await consumeWithEntries(entries);
      assert.ok(series.length <= 17, `at most 16 entries + _OTHER, saw ${series.length}`);
      assert.ok(series.includes('_OTHER'));
      assert.equal(warnings.filter((w) => w.includes('pipelineEntries')).length, 1, 'said once');
      assert.equal(spanEntries[4999], 'hostile-4999', 'the span keeps what the message carried');
    } finally {
      diag.disable();
    }
  });

  it('with pipelineEntries, the listed entries and _OTHER only', async () => {
    const { series } = await consumeWithEntries(['orders', 'orders', 'refunds', 'spoofed', 'another'], { pipelineEntries: ['orders', 'refunds'] });
    assert.deepEqual([...series].sort(), ['_OTHER', 'orders', 'refunds']);
  });
});
