// The local Jaeger keeps its traces on disk (Badger under .cache/): a trace written before Jaeger
// stops is found again after it starts, as the demo's traces must be after `npm test` (whose fault
// tests restart Jaeger), `npm run infra:down`/`infra:up` or a reboot.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { startTracing } from '../../src/setup/index';
import { JaegerQuery, waitForTrace } from '../../src/harness/index';
import { JAEGER_QUERY_URL } from '../support/env';
import { canInjectFaults, infra } from '../support/infra';

const skip = canInjectFaults ? false : 'needs the local Jaeger (JAEGER_QUERY_URL is set)';

describe('local Jaeger storage', { skip }, () => {
  it('a trace written before a Jaeger restart is found after it, by id and by service', async () => {
    const service = `it-storage-${Date.now().toString(36)}`;
    const tracing = startTracing({ serviceName: service, register: false });
    let traceId = '';
    try {
      // Parent passed explicitly: with register: false no context manager carries it.
      const parent = tracing.tracer.startSpan('place order');
      traceId = parent.spanContext().traceId;
      tracing.tracer.startSpan('reserve stock', {}, trace.setSpan(ROOT_CONTEXT, parent)).end();
      parent.end();
      await tracing.forceFlush();
    } finally {
      await tracing.shutdown();
    }
    const jaeger = new JaegerQuery(JAEGER_QUERY_URL);
    await waitForTrace(jaeger, traceId, { minSpans: 2 });

    infra('stop', 'jaeger');
    infra('start', 'jaeger');

    // Read once, no polling: after the restart the trace is either on disk or gone.
    const raw = await jaeger.getTrace(traceId);
    assert.ok(raw, `trace ${traceId} is gone after the restart: Jaeger did not keep it on disk`);
    assert.deepEqual(raw.spans.map((s) => s.operationName).sort(), ['place order', 'reserve stock']);
    const found = await jaeger.findTraces({ service, limit: 5 });
    assert.deepEqual(found.map((t) => t.traceID), [traceId], `searching by service ${service} after the restart`);
  });
});
