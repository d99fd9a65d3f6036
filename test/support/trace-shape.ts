import assert from 'node:assert/strict';
import type { TraceView } from '../../src/harness/index';

/** One message, one trace: a single root, and every span's parent is a span of the same trace. */
export function expectOneTree(trace: TraceView): void {
  const ids = new Set(trace.spans.map((s) => s.spanId));
  const roots = trace.spans.filter((s) => s.parentSpanId === undefined);
  assert.equal(roots.length, 1, `one root span, got: ${roots.map((s) => `${s.name}@${s.service}`).join(', ')}`);
  for (const s of trace.spans) {
    if (s.parentSpanId !== undefined) assert.ok(ids.has(s.parentSpanId), `parent of ${s.name}@${s.service} is in the trace`);
  }
}
