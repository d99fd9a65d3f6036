// Reading trace headers from kafkajs header objects, and replacing a propagator's own fields when
// injecting: the lookups the middleware makes for every message.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT_CONTEXT, TraceFlags, propagation, trace, type Context, type TextMapSetter } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import type { IHeaders } from 'kafkajs';
import { headerGetter } from '../../../src/propagation/header-carrier';
import { injectIntoMessage } from '../../../src/propagation/inject-headers';
import type { Propagator } from '../../../src/propagation/propagator';

describe('headerGetter', () => {
  it('prefers the exact key, else any own key that lowercases to it', () => {
    assert.equal(headerGetter.get({ traceparent: 'a', Traceparent: 'b' }, 'traceparent'), 'a');
    assert.equal(headerGetter.get({ TraceParent: Buffer.from('b') }, 'traceparent'), 'b');
    assert.equal(headerGetter.get({ 'x-user': '1', TRACESTATE: 'c' }, 'tracestate'), 'c');
    assert.equal(headerGetter.get({ '\u212Aey': 'kelvin' }, 'key'), 'kelvin', 'a key whose lowercase is the one asked for, whatever its characters');
  });

  it('never reads keys that only look alike, or that the header object inherits', () => {
    assert.equal(headerGetter.get({ 'traceparent-x': 'no', traceparen: 'no' }, 'traceparent'), undefined);
    const inherited = Object.create({ Traceparent: 'from the prototype', traceparent: 'from the prototype' }) as IHeaders;
    assert.equal(headerGetter.get(inherited, 'traceparent'), undefined);
    const mixed = Object.assign(Object.create({ Tracestate: 'from the prototype' }) as IHeaders, { TraceState: 'own' });
    assert.equal(headerGetter.get(mixed, 'tracestate'), 'own');
  });
});

/** A propagator writing one field, `name`, with the context's span id. */
function fieldPropagator(name: string): Propagator {
  return {
    inject: <C>(ctx: Context, carrier: C, setter: TextMapSetter<C>) => setter.set(carrier, name, trace.getSpanContext(ctx)?.spanId ?? ''),
    extract: (ctx) => ctx,
    fields: () => [name],
  };
}

describe('injectIntoMessage', () => {
  it("replaces the earlier values of the propagator's own fields, whichever propagator injects", () => {
    const ctx = trace.setSpanContext(ROOT_CONTEXT, { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED });
    const message = { value: 'v', headers: { 'X-One': 'old', 'X-Two': 'old', kept: 'yes' } };
    for (let i = 0; i < 2; i++) {
      assert.deepEqual(injectIntoMessage(fieldPropagator('x-one'), ctx, message).headers, { 'X-Two': 'old', kept: 'yes', 'x-one': 'b7ad6b7169203331' });
      assert.deepEqual(injectIntoMessage(fieldPropagator('x-two'), ctx, message).headers, { 'X-One': 'old', kept: 'yes', 'x-two': 'b7ad6b7169203331' });
    }
    assert.deepEqual(message.headers, { 'X-One': 'old', 'X-Two': 'old', kept: 'yes' }, "the caller's message is left as it was");
  });

  // Defect 5: the application's own baggage/tracestate went when the context had none to write.
  it("keeps the application's baggage and tracestate when the context has none, and a header named __proto__", () => {
    const ctx = trace.setSpanContext(ROOT_CONTEXT, { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED });
    const w3c = new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] });
    const headers = JSON.parse('{"baggage":"tenant=acme","Tracestate":"app=1","x-app":"1","traceparent":"00-11111111111111111111111111111111-2222222222222222-01","__proto__":"own"}') as IHeaders;
    const out = injectIntoMessage(w3c, ctx, { value: 'v', headers }).headers as IHeaders;
    assert.deepEqual(Object.keys(out), ['baggage', 'Tracestate', 'x-app', '__proto__', 'traceparent']);
    assert.equal(out.baggage, 'tenant=acme');
    assert.equal(out.traceparent, '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', 'the stale traceparent replaced');
    assert.equal(Object.getOwnPropertyDescriptor(out, '__proto__')?.value, 'own');
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    // A context with baggage of its own replaces the header, whatever its case.
    const withBaggage = propagation.setBaggage(ctx, propagation.createBaggage({ user: { value: 'u1' } }));
    const replaced = injectIntoMessage(w3c, withBaggage, { value: 'v', headers: { Baggage: 'tenant=acme' } }).headers as IHeaders;
    assert.deepEqual(replaced, { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', baggage: 'user=u1' });
  });

  it('returns a copy of the message with every own enumerable property, as a spread copy would have it', () => {
    const ctx = trace.setSpanContext(ROOT_CONTEXT, { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED });
    const tag = Symbol('tag');
    const hidden = { value: 'v' };
    Object.defineProperty(hidden, 'secret', { value: 1, enumerable: false });
    const messages: object[] = [
      { value: 'v' },
      { key: 'k', value: Buffer.from('v'), partition: 2, timestamp: '1700000000000' },
      { key: null, value: null, headers: { 'x-user': 'kept' } },
      { value: 'v', headers: undefined, [tag]: 'symbol keys are copied too' },
      JSON.parse('{"value":"v","__proto__":{"own":"property"}}') as object,
      hidden,
    ];
    for (const message of messages) {
      const out = injectIntoMessage(fieldPropagator('x-one'), ctx, message as never);
      assert.notEqual(out, message);
      assert.deepStrictEqual(out, { ...message, headers: out.headers });
      assert.equal(Object.getPrototypeOf(out), Object.prototype);
      assert.equal(out.headers?.['x-one'], 'b7ad6b7169203331');
    }
  });
});

describe('header getter: own keys only', () => {
  it('never walks the carrier’s prototype (for…in did, for every header asked for and absent)', () => {
    let looked = 0;
    const proto = new Proxy({ Traceparent: 'inherited' } as Record<string, string>, {
      ownKeys(target) {
        looked++;
        return Reflect.ownKeys(target);
      },
    });
    const carrier = Object.create(proto) as IHeaders;
    carrier['TraceState'] = 'a=1';
    assert.equal(headerGetter.get(carrier, 'traceparent'), undefined, 'an inherited header is no header');
    assert.equal(headerGetter.get(carrier, 'tracestate'), 'a=1', 'own keys still match case-insensitively');
    assert.equal(looked, 0);
  });
});
