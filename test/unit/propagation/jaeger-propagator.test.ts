// The package's own Jaeger propagator (@opentelemetry/propagator-jaeger ends with SDK 2.x) against that
// package on well-formed headers, and where it is stricter: hex ids only, the sampled flag only.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ROOT_CONTEXT, defaultTextMapGetter, defaultTextMapSetter, propagation, trace, type Context, type TextMapPropagator } from '@opentelemetry/api';
import { JaegerPropagator } from '@opentelemetry/propagator-jaeger';
import { jaegerPropagator } from '../../../src/propagation/jaeger-propagator';

const reference = new JaegerPropagator();
const read = (p: TextMapPropagator, headers: Record<string, string>) => {
  const ctx = p.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
  const sc = trace.getSpanContext(ctx);
  return { sc: sc && { ...sc }, baggage: propagation.getBaggage(ctx)?.getAllEntries().map(([k, e]) => [k, e.value]) };
};
const write = (p: TextMapPropagator, ctx: Context) => {
  const out: Record<string, string> = {};
  p.inject(ctx, out, defaultTextMapSetter);
  return out;
};
const hex = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: min, maxLength: max }).filter((s) => !/^0+$/.test(s));

describe('own Jaeger propagator', () => {
  it('reads well-formed uber-trace-id and uberctx-* headers as @opentelemetry/propagator-jaeger does', () => {
    fc.assert(
      fc.property(hex(16, 32), hex(1, 16), fc.constantFrom('0', '1', '01'), fc.boolean(), fc.dictionary(fc.constantFrom('tenant', 'region', 'a-b'), fc.constantFrom('acme', 'x y', 'é')), (t, s, flags, encoded, bag) => {
        const value = `${t}:${s}:0:${flags}`;
        const headers: Record<string, string> = { 'uber-trace-id': encoded ? encodeURIComponent(value) : value };
        for (const [k, v] of Object.entries(bag)) headers[`uberctx-${k}`] = encodeURIComponent(v);
        assert.deepEqual(read(jaegerPropagator, headers), read(reference, headers));
      }),
      { numRuns: 500 },
    );
  });

  it('writes what @opentelemetry/propagator-jaeger writes for a sampled or unsampled span and its baggage', () => {
    for (const traceFlags of [0, 1]) {
      let ctx = trace.setSpanContext(ROOT_CONTEXT, { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags });
      ctx = propagation.setBaggage(ctx, propagation.createBaggage({ tenant: { value: 'acme corp' } }));
      assert.deepEqual(write(jaegerPropagator, ctx), write(reference, ctx));
    }
  });

  it("is stricter where the other is wrong: non-hex ids are no context, W3C's random bit is not sent as Jaeger's debug bit", () => {
    assert.equal(read(jaegerPropagator, { 'uber-trace-id': 'xyz:abc:0:1' }).sc, undefined);
    assert.equal(read(jaegerPropagator, { 'uber-trace-id': `${'0'.repeat(32)}:b7ad6b7169203331:0:1` }).sc, undefined);
    const ctx = trace.setSpanContext(ROOT_CONTEXT, { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 3 });
    assert.equal(write(jaegerPropagator, ctx)['uber-trace-id'], '0af7651916cd43dd8448eb211c80319c:b7ad6b7169203331:0:01');
  });

  it('keeps baggage already in the context and caps the total at 180 entries', () => {
    const headers: Record<string, string> = { 'uber-trace-id': '0af7651916cd43dd8448eb211c80319c:b7ad6b7169203331:0:1' };
    for (let i = 0; i < 500; i++) headers[`uberctx-k${i}`] = String(i);
    const base = propagation.setBaggage(ROOT_CONTEXT, propagation.createBaggage({ w3c: { value: '1' } }));
    const bag = propagation.getBaggage(jaegerPropagator.extract(base, headers, defaultTextMapGetter));
    assert.equal(bag?.getAllEntries().length, 180);
    assert.equal(bag?.getEntry('w3c')?.value, '1');
  });
});
