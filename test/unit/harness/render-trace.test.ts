import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderTrace, toTraceView, traceUrl, treeOrder } from '../../../src/harness/index';
import { TRACE_ID, pipelineTrace } from './fixture';

describe('renderTrace', () => {
  it('renders a waterfall in tree order with offsets, durations, errors and a bar', () => {
    const text = renderTrace(toTraceView(pipelineTrace()), { barWidth: 16, ascii: true });
    assert.equal(
      text,
      [
        `trace ${TRACE_ID}: 5 spans, 3 services, 16.00 ms`,
        'service        span                      kind       start ms     dur ms  timeline',
        'checkout       send orders               producer       0.00       3.00  ###.............',
        'payments         process orders          consumer       4.00       6.00  ....######......',
        'payments           charge card           internal       5.00       2.00  .....##.........  ERROR',
        'payments             send payments       producer       8.00       2.00  ........##......',
        'notifications          process payments  consumer      12.00       4.00  ............####',
      ].join('\n'),
    );
  });

  it('shows spans whose parent is missing as roots', () => {
    const raw = pipelineTrace();
    raw.spans = raw.spans.filter((s) => s.operationName !== 'process orders');
    const rows = treeOrder(toTraceView(raw));
    const charge = rows.find((r) => r.span.name === 'charge card');
    assert.equal(charge?.depth, 0);
    assert.equal(rows.length, 4);
  });

  it('builds Jaeger UI links', () => {
    assert.equal(traceUrl('http://127.0.0.1:16686/', 'abc'), 'http://127.0.0.1:16686/trace/abc');
  });
});
