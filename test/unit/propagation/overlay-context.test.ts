// Contexts over a parent without copying its values: a producer's injection context, a handler's.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT_CONTEXT, createContextKey, propagation, trace, TraceFlags } from '@opentelemetry/api';
import { withSpan, withSpanAndValue } from '../../../src/propagation/overlay-context';

const span = trace.wrapSpanContext({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED });
const other = trace.wrapSpanContext({ traceId: '1af7651916cd43dd8448eb211c80319c', spanId: 'c7ad6b7169203331', traceFlags: TraceFlags.NONE });
const KEY = createContextKey('app value');

describe('overlay contexts', () => {
  it('reads as trace.setSpan(parent, span) does: the span, and every other value of the parent', () => {
    const baggage = propagation.createBaggage({ tenant: { value: 'acme' } });
    const parent = propagation.setBaggage(trace.setSpan(ROOT_CONTEXT.setValue(KEY, 42), other), baggage);
    const ctx = withSpan(parent, span);
    assert.equal(trace.getSpan(ctx), span, 'the new span replaces the parent span');
    assert.equal(propagation.getBaggage(ctx), baggage);
    assert.equal(ctx.getValue(KEY), 42);
    assert.equal(trace.getSpan(parent), other, 'the parent is unchanged');
  });

  it('a context derived from it is the API’s own, with the span and the new value', () => {
    const ctx = withSpan(ROOT_CONTEXT.setValue(KEY, 1), span);
    const derived = ctx.setValue(KEY, 2);
    assert.equal(derived.getValue(KEY), 2);
    assert.equal(trace.getSpan(derived), span);
    assert.equal(ctx.getValue(KEY), 1, 'unchanged itself');
    const without = ctx.deleteValue(KEY);
    assert.equal(without.getValue(KEY), undefined);
    assert.equal(trace.getSpan(without), span);
    assert.equal(trace.getSpan(trace.deleteSpan(ctx)), undefined);
  });

  it('with a second value: both read, both kept by a derived context; the derived context is made once', () => {
    const OTHER = createContextKey('origin');
    const ctx = withSpanAndValue(ROOT_CONTEXT.setValue(KEY, 1), span, OTHER, 'o');
    assert.equal(trace.getSpan(ctx), span);
    assert.equal(ctx.getValue(OTHER), 'o');
    assert.equal(ctx.getValue(KEY), 1);
    const child = trace.setSpan(ctx, other);
    assert.equal(trace.getSpan(child), other);
    assert.equal(child.getValue(OTHER), 'o');
    assert.equal(child.getValue(KEY), 1);
    assert.equal(trace.getSpan(ctx), span, 'unchanged itself');
    assert.equal(ctx.setValue(KEY, 2).getValue(OTHER), 'o');
  });
});
