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

  it('a span that is its own parent, and a two-span cycle, are shown once each, as roots of their cycle', () => {
    const raw = pipelineTrace();
    const named = (n: string) => raw.spans.find((s) => s.operationName === n);
    const [first, second, third] = [named('send orders'), named('process orders'), named('charge card')];
    assert.ok(first && second && third);
    // send orders is its own parent; process orders and charge card are each other's.
    first.references = [{ refType: 'CHILD_OF', traceID: first.traceID, spanID: first.spanID }];
    second.references = [{ refType: 'CHILD_OF', traceID: third.traceID, spanID: third.spanID }];
    third.references = [{ refType: 'CHILD_OF', traceID: second.traceID, spanID: second.spanID }];
    const view = toTraceView(raw);
    const rows = treeOrder(view);
    assert.equal(rows.length, view.spans.length, 'every span exactly once');
    assert.equal(new Set(rows.map((r) => r.span.spanId)).size, view.spans.length);
    assert.deepEqual(rows.filter((r) => r.depth === 0).map((r) => r.span.name), ['send orders', 'process orders']);
    assert.equal(rows.find((r) => r.span.name === 'charge card')?.depth, 1);
    const text = renderTrace(view, { barWidth: 0 });
    for (const s of view.spans) assert.ok(text.includes(s.name), `${s.name} is printed`);
  });

  it('a chain 20,000 spans deep renders without overflowing the stack; an empty trace says so', () => {
    const raw = pipelineTrace();
    const template = raw.spans[0];
    assert.ok(template);
    raw.spans = Array.from({ length: 20000 }, (_, i) => ({
      ...template,
      spanID: (i + 1).toString(16).padStart(16, '0'),
      operationName: `hop ${i}`,
      startTime: template.startTime + i,
      references: i === 0 ? [] : [{ refType: 'CHILD_OF' as const, traceID: template.traceID, spanID: i.toString(16).padStart(16, '0') }],
    }));
    const rows = treeOrder(toTraceView(raw));
    assert.equal(rows.length, 20000);
    assert.equal(rows[19999]?.depth, 19999);
    assert.match(renderTrace({ traceId: 'ab', spans: [], raw: { ...raw, spans: [] } }), /0 spans/);
  });

  it('builds Jaeger UI links', () => {
    assert.equal(traceUrl('http://127.0.0.1:16686/', 'abc'), 'http://127.0.0.1:16686/trace/abc');
  });
});
