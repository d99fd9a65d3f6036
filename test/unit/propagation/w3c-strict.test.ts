// What the W3C Trace Context test suite asks at STRICT_LEVEL=2 (scripts/w3c/ runs the suite itself),
// here through the Kafka header carrier: Buffer values, repeated names as lists. @opentelemetry/core's
// propagator fails the tracestate rules below; the package's own must not.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT_CONTEXT, createTraceState, trace, type TraceState } from '@opentelemetry/api';
import type { IHeaders } from 'kafkajs';
import { w3cPropagator } from '../../../src/propagation/w3c-propagator';
import { headerGetter } from '../../../src/propagation/header-carrier';
import { W3cTraceState, parseTraceState } from '../../../src/propagation/trace-state';
import { setOriginEntry } from '../../../src/propagation/pipeline-origin';

const TP = '00-12345678901234567890123456789012-1234567890123456-01';

function read(headers: IHeaders) {
  const sc = trace.getSpanContext(w3cPropagator.extract(ROOT_CONTEXT, headers, headerGetter));
  return { traceId: sc?.traceId, state: sc?.traceState?.serialize() };
}
const withState = (...tracestate: string[]) => read({ traceparent: Buffer.from(TP), tracestate: tracestate.map((v) => Buffer.from(v)) });

describe('W3C trace context at the test suite’s strictest', () => {
  it('two traceparent headers are invalid: a new trace', () => {
    assert.equal(read({ traceparent: [Buffer.from(TP), Buffer.from(TP.replace('9012-', '9011-'))] }).traceId, undefined);
    assert.equal(read({ traceparent: [Buffer.from(TP)] }).traceId, '12345678901234567890123456789012', 'one value in a list is one header');
  });

  it('spaces and tabs around traceparent', () => {
    for (const v of [` ${TP}`, `\t${TP}`, `${TP} `, `${TP}\t`, `\t ${TP} \t`]) assert.equal(read({ traceparent: v }).traceId, '12345678901234567890123456789012', JSON.stringify(v));
  });

  it('tracestate: any invalid member discards the whole list', () => {
    for (const bad of ['foo =1', 'FOO=1', 'foo.bar=1', '@foo=1,bar=2', 'foo=bar=baz', 'foo=,bar=3', 'bar=2,a=\u00e9', `${'z'.repeat(257)}=1`]) {
      assert.equal(withState('foo=1', bad).state, undefined, bad);
      assert.equal(withState('foo=1', bad).traceId, '12345678901234567890123456789012', 'the trace continues without it');
    }
  });

  it('tracestate: the current key grammar (tenant@system keys, 256 characters in all)', () => {
    for (const key of ['foo@', 'foo@@bar', 'foo@bar@baz', 'z'.repeat(256), `${'t'.repeat(241)}@${'v'.repeat(14)}`, `${'t'.repeat(242)}@v`, `t@${'v'.repeat(15)}`, '1x']) {
      assert.equal(withState('foo=1', `${key}=1`).state, `foo=1,${key}=1`, key);
    }
  });

  it('tracestate: 32 members across headers kept in order, 33 discarded', () => {
    const members = Array.from({ length: 33 }, (_, i) => `bar${String(i + 1).padStart(2, '0')}=${i}`);
    assert.equal(withState(members.slice(0, 10).join(','), members.slice(10, 32).join(',')).state, members.slice(0, 32).join(','));
    assert.equal(withState(members.slice(0, 10).join(','), members.slice(10).join(',')).state, undefined);
  });

  it('tracestate: OWS, empty members and empty headers skipped, first of duplicate keys kept', () => {
    assert.equal(withState('foo=1 \t , \t bar=2, \t baz=3').state, 'foo=1,bar=2,baz=3');
    assert.equal(withState('\t foo=1 \t').state, 'foo=1');
    assert.equal(withState('', 'foo=1', '').state, 'foo=1');
    assert.equal(withState('').state, undefined, 'an empty header is no tracestate');
    assert.equal(withState('a=1,,b=2').state, 'a=1,b=2');
    assert.equal(withState('a=1,a=2').state, 'a=1');
    assert.equal(withState('a=1', 'a=2').state, 'a=1');
  });

  it('an empty tracestate is never sent', () => {
    const out: Record<string, string> = {};
    const ctx = trace.setSpanContext(ROOT_CONTEXT, { traceId: '12345678901234567890123456789012', spanId: '1234567890123456', traceFlags: 1, traceState: createTraceState('bad key=1') });
    w3cPropagator.inject(ctx, out, { set: (c, k, v) => void ((c as Record<string, string>)[k] = v) });
    assert.deepEqual(Object.keys(out), ['traceparent']);
  });
});

describe('tracestate kept in order, truncated the W3C way', () => {
  const serialize = (s: TraceState) => s.serialize();

  it('set puts the entry first and never reverses the others', () => {
    const many = Array.from({ length: 32 }, (_, i) => `k${i}=${i}`);
    const state = parseTraceState([many.join(',')]) as W3cTraceState;
    const next = state.set('new', 'v');
    assert.equal(serialize(next), ['new=v', ...many.slice(0, 31)].join(','), 'the right-most goes, order kept');
  });

  it('the pipeline entry: members over 128 characters go first, then right-most ones', () => {
    const long = `big=${'x'.repeat(200)}`;
    const others = Array.from({ length: 15 }, (_, i) => `v${i}=${'y'.repeat(20)}`);
    const state = parseTraceState([[others[0], long, ...others.slice(1)].join(',')]);
    const next = setOriginEntry(state, 'mi1x8yqe:1:orders');
    assert.equal(serialize(next), ['kjt=mi1x8yqe:1:orders', ...others].join(','), 'the long member went, the short ones stayed');
    assert.ok(serialize(next).length <= 512);
    const full = parseTraceState([Array.from({ length: 32 }, (_, i) => `v${i}=1`).join(',')]);
    const cut = serialize(setOriginEntry(full, 'mi1x8yqe:1:orders')).split(',');
    assert.equal(cut.length, 32);
    assert.deepEqual(cut.slice(1), Array.from({ length: 31 }, (_, i) => `v${i}=1`));
  });

  it("another implementation's tracestate is carried over in order", () => {
    const next = setOriginEntry(createTraceState('a=1,b=2,c=3'), 'mi1x8yqe:1:orders');
    assert.equal(serialize(next), 'kjt=mi1x8yqe:1:orders,a=1,b=2,c=3');
  });
});
