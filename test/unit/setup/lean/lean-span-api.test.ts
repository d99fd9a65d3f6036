// The lean span against the SDK's for the Span API an application calls on startTracing's tracers:
// limits from the OTEL_SPAN_* variables, attributes after start, events and exceptions, links,
// status precedence, updateName, operations after end, end() twice, startActiveSpan, suppressed
// tracing and the root option. Both paths run the same calls; the exported spans and the warnings
// must be the same.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT_CONTEXT, SpanStatusCode, TraceFlags, context, diag, trace, DiagLogLevel } from '@opentelemetry/api';
import { ExportResultCode, suppressTracing, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { startTracing } from '../../../../src/setup/index';

const LIMITS: Record<string, string> = {
  OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '4',
  OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: '5',
  OTEL_SPAN_EVENT_COUNT_LIMIT: '2',
  OTEL_SPAN_LINK_COUNT_LIMIT: '1',
  OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT: '1',
};

const failure = Object.assign(new Error('boom'), { code: 'E_BOOM' });
const link = { context: { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED }, attributes: { why: 'forwarded', n: 1 } };

async function run(leanSpans: boolean): Promise<{ spans: ReadableSpan[]; warnings: string[]; suppressedValid: boolean; activeSeen: boolean }> {
  const spans: ReadableSpan[] = [];
  const exporter: SpanExporter = {
    export: (s: ReadableSpan[], done: (r: ExportResult) => void) => {
      spans.push(...s);
      done({ code: ExportResultCode.SUCCESS });
    },
    shutdown: () => Promise.resolve(),
  };
  const warnings: string[] = [];
  const log = (...args: unknown[]) => void warnings.push(String(args[0]).replace(/[0-9a-f]{16,32}/g, 'ID'));
  diag.setLogger({ error: log, warn: log, info: () => undefined, debug: () => undefined, verbose: () => undefined }, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  const tracing = startTracing({ serviceName: 'api', exporter, register: false, metrics: false, leanSpans });
  const tracer = tracing.provider.getTracer('app', '1.2.3');

  const a = tracer.startSpan('a', { attributes: { one: 1, long: 'abcdefgh', list: ['abcdefgh', 'x'] }, links: [link, link] });
  a.setAttribute('two', true);
  a.setAttribute('three', 3); // over the count limit: dropped
  a.setAttribute('one', 11); // an existing key is replaced, not counted
  a.setAttributes({ bad: { nested: 1 } as unknown as string, empty: undefined as unknown as string });
  a.addEvent('first', { k: 'v', k2: 'v2' });
  a.addEvent('second', [1700000000, 5]);
  a.recordException(failure);
  a.recordException('just a message');
  a.setStatus({ code: SpanStatusCode.ERROR, message: 'failed' });
  a.setStatus({ code: SpanStatusCode.UNSET });
  a.updateName('a renamed');
  assert.equal(a.isRecording(), true);
  a.end();
  assert.equal(a.isRecording(), false);
  a.end(); // warned about, ignored
  a.setAttribute('late', 1);
  a.addEvent('late');
  a.updateName('late');

  const b = tracer.startSpan('b', { root: true, startTime: Date.now() - 5 }, trace.setSpan(ROOT_CONTEXT, a));
  b.setStatus({ code: SpanStatusCode.OK });
  b.setStatus({ code: SpanStatusCode.ERROR, message: 'too late: OK is final' });
  b.end(Date.now());

  let activeSeen = false;
  tracer.startActiveSpan('c', { attributes: { c: 1 } }, (c) => {
    activeSeen = trace.getActiveSpan() === c || trace.getSpan(context.active()) === undefined; // no context manager: either is fine
    tracer.startSpan('c child').end();
    c.end();
  });
  const suppressed = tracer.startSpan('suppressed', {}, suppressTracing(ROOT_CONTEXT));
  const suppressedValid = trace.isSpanContextValid(suppressed.spanContext()) || suppressed.isRecording();
  suppressed.end();
  await tracing.shutdown();
  diag.disable();
  return { spans, warnings, suppressedValid, activeSeen };
}

function view(s: ReadableSpan) {
  return {
    name: s.name,
    kind: s.kind,
    parent: s.parentSpanContext ? 'yes' : 'no',
    attributes: s.attributes,
    droppedAttributesCount: s.droppedAttributesCount,
    links: s.links,
    droppedLinksCount: s.droppedLinksCount,
    events: s.events.map((e) => ({ ...e, time: e.name === 'second' ? e.time : 'now' })),
    droppedEventsCount: s.droppedEventsCount,
    status: s.status,
    scope: s.instrumentationScope,
    ended: s.ended,
  };
}

describe('lean spans: the Span API as the SDK answers it', () => {
  const saved: Record<string, string | undefined> = {};
  before(() => {
    for (const [k, v] of Object.entries(LIMITS)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
  });
  after(() => {
    for (const k of Object.keys(LIMITS)) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });

  it('exports the same spans and warns the same way, under the limits of the environment', async () => {
    const sdk = await run(false);
    const lean = await run(true);
    assert.equal(sdk.spans.length, 4, 'a, b, c and its child; nothing for the suppressed one');
    assert.deepEqual(lean.spans.map(view), sdk.spans.map(view));
    assert.deepEqual(lean.warnings, sdk.warnings);
    assert.ok(sdk.warnings.some((w) => w.includes('only call end() on a span once')), 'end() twice is reported');
    assert.equal(lean.suppressedValid, false, 'suppressed tracing: an invalid, non-recording span');
    assert.equal(sdk.suppressedValid, false);
    assert.equal(lean.activeSeen, true);
    const a = lean.spans.find((s) => s.name === 'a renamed');
    assert.equal(a?.droppedAttributesCount, 1, 'the limit of 4 attributes held');
    assert.deepEqual(a?.attributes.list, ['abcde', 'x'], 'values cut to 5 characters');
    assert.equal(a?.droppedLinksCount, 1);
    assert.equal(a?.events.length, 2, 'two events kept of four');
    const b = lean.spans.find((s) => s.name === 'b');
    assert.equal(b?.parentSpanContext, undefined, 'root: no parent');
    assert.notEqual(b?.spanContext().traceId, a?.spanContext().traceId);
  });
});
