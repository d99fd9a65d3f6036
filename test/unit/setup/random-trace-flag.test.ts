// W3C Trace Context Level 2: a continued trace keeps its parent's random trace-id flag (02). The SDK's
// tracer derives flags from the sampling decision alone, so without help 02 came back as 01.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { startTracing } from '../../../src/setup/index';

const parentOf = (traceFlags: number) =>
  trace.setSpanContext(ROOT_CONTEXT, { traceId: '12345678901234567890123456789012', spanId: '1234567890123456', traceFlags, isRemote: true });

describe('random trace-id flag', () => {
  it('a child of a parent with flags 02 or 03 keeps the random bit, sampled or not; 01 and roots are left as they were', async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = startTracing({ exporter, register: false, metrics: false, flushOnSignals: false });
    try {
      const flagsUnder = (ctx: typeof ROOT_CONTEXT) => {
        const span = tracing.tracer.startSpan('child', {}, ctx);
        span.end();
        return span.spanContext().traceFlags;
      };
      assert.equal(flagsUnder(parentOf(0x02)), 0x02, 'not sampled (the parent-based sampler follows the parent), random kept');
      assert.equal(flagsUnder(parentOf(0x03)), 0x03);
      assert.equal(flagsUnder(parentOf(0x01)), 0x01);
      assert.equal(flagsUnder(ROOT_CONTEXT), 0x01);
      await tracing.forceFlush();
      assert.equal(exporter.getFinishedSpans()[0]?.spanContext().traceFlags, 0x03, 'exporters see it too');
    } finally {
      await tracing.shutdown();
    }
  });
});
