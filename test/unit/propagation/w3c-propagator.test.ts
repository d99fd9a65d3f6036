// The package's own W3C trace context + baggage propagator against @opentelemetry/core's: on input
// both read the same way (one traceparent, a well-formed tracestate, baggage members within the
// 2020 draft's 4,096-character limit) they must read and write the same. Where the W3C test suite
// asks for more than core does, trace-state.test.ts and w3c-strict.test.ts say what this one does.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  ROOT_CONTEXT,
  baggageEntryMetadataFromString,
  createContextKey,
  createTraceState,
  defaultTextMapGetter,
  defaultTextMapSetter,
  propagation,
  trace,
  type BaggageEntry,
  type Context,
  type TextMapPropagator,
} from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator, suppressTracing } from '@opentelemetry/core';
import { w3cPropagator } from '../../../src/propagation/w3c-propagator';

const core = new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] });
const seed = process.env.FC_SEED === 'random' ? Date.now() : Number(process.env.FC_SEED ?? 20261127);
fc.configureGlobal({ seed, numRuns: 3000 });

/** What a context carries, in plain values: comparable across the two implementations. */
function carried(ctx: Context) {
  const sc = trace.getSpanContext(ctx);
  const bag = propagation.getBaggage(ctx);
  return {
    span: sc && { ...sc, traceState: sc.traceState?.serialize() },
    baggage: bag?.getAllEntries().map(([k, e]) => [k, e.value, e.metadata?.toString()]),
  };
}

function inject(p: TextMapPropagator, ctx: Context): Record<string, string> {
  const carrier: Record<string, string> = {};
  p.inject(ctx, carrier, defaultTextMapSetter);
  return carrier;
}

const extract = (p: TextMapPropagator, headers: Record<string, string | string[]>) => carried(p.extract(ROOT_CONTEXT, headers, defaultTextMapGetter));

const hex = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: n, maxLength: n });
const ws = fc.constantFrom('', ' ', '\t');
const traceparent = fc.oneof(
  fc.tuple(ws, fc.constantFrom('00', '01', 'ff', 'cc', '0g'), hex(32), hex(16), fc.constantFrom('00', '01', '02', 'ff'), fc.constantFrom('', '-', '-extra'), ws).map(
    ([a, v, t, s, f, rest, b]) => `${a}${v}-${t}-${s}-${f}${rest}${b}`,
  ),
  fc.constant('00-00000000000000000000000000000000-b7ad6b7169203331-01'),
  fc.constant('00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01'),
  fc.string({ maxLength: 70 }),
);
// Well-formed lists only, within 32 members and 512 characters, with unique keys: on anything else
// the two differ on purpose (core drops invalid members one by one, this one drops the list).
const tracestate = fc
  .uniqueArray(fc.tuple(fc.constantFrom('a', 'rojo', 'vendor@sys', 'k'.repeat(200), 'b', 'c', 'd', 'e', 'f', 'g'), fc.constantFrom('1', 'x y', '00f067aa0ba902b7', '!~')), {
    minLength: 1,
    maxLength: 32,
    selector: ([k]) => k,
  })
  .map((kv) => kv.map(([k, v]) => `${k}=${v}`).join(','))
  .filter((v) => v.length <= 512);
const baggageMember = fc.oneof(
  fc.tuple(fc.constantFrom('user', ' id ', 'a%20b', '%E2%9C%93', '%zz', '', 'k'.repeat(2000)), fc.constantFrom('1', 'v%2C', ' x ', '', '%', 'é', 'v'.repeat(2000)), fc.constantFrom('', ';', ';p', ';p=1;q')).map(
    ([k, v, m]) => `${k}=${v}${m}`,
  ),
  fc.string({ maxLength: 30 }),
);
const baggageHeader = fc.array(baggageMember, { maxLength: 200 }).map((m) => m.join(','));
const oneOrMany = <T>(a: fc.Arbitrary<T>) => fc.oneof(a, fc.array(a, { minLength: 1, maxLength: 3 }));
// Core reads only the first of several traceparent values; several are invalid (w3c-strict.test.ts).
// Several tracestate headers are joined into one list: only one here, so keys stay unique.
const oneTracestate = fc.oneof(tracestate, tracestate.map((v) => [v]));

describe('own W3C propagator against @opentelemetry/core', () => {
  it('extracts the same span context, trace state and baggage from generated headers', () => {
    fc.assert(
      fc.property(fc.record({ traceparent: fc.oneof(traceparent, traceparent.map((v) => [v])), tracestate: oneTracestate, baggage: oneOrMany(baggageHeader) }, { requiredKeys: [] }), (headers) => {
        assert.deepEqual(extract(w3cPropagator, headers), extract(core, headers));
      }),
    );
  });

  it('writes the same headers for generated span contexts and baggage', () => {
    const entry = fc.tuple(
      fc.string({ maxLength: 12 }),
      fc.oneof(fc.string({ maxLength: 40 }), fc.constant('x'.repeat(4000))),
      fc.option(fc.constantFrom('p', 'p=1;q', ' meta data '), { nil: undefined }),
    );
    const input = fc.record({
      traceId: hex(32),
      spanId: hex(16),
      traceFlags: fc.integer({ min: 0, max: 15 }),
      traceState: fc.option(fc.constantFrom('rojo=00f067aa0ba902b7', 'a=1,b=2'), { nil: undefined }),
      entries: fc.array(entry, { maxLength: 250 }),
      suppressed: fc.boolean(),
    });
    fc.assert(
      fc.property(input, ({ traceId, spanId, traceFlags, traceState, entries, suppressed }) => {
        const bag: Record<string, BaggageEntry> = {};
        for (const [k, v, m] of entries) bag[k] = m === undefined ? { value: v } : { value: v, metadata: baggageEntryMetadataFromString(m) };
        let ctx = trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags, traceState: traceState ? createTraceState(traceState) : undefined });
        if (entries.length) ctx = propagation.setBaggage(ctx, propagation.createBaggage(bag));
        if (suppressed) ctx = suppressTracing(ctx);
        assert.deepEqual(inject(w3cPropagator, ctx), inject(core, ctx));
      }),
    );
  });

  it('applies the W3C baggage limits at their exact boundaries', () => {
    const member = (key: string, length: number) => `${key}=${'v'.repeat(length - key.length - 1)}`;
    const many = Array.from({ length: 200 }, (_, i) => `k${i}=1`).join(',');
    // Where core agrees (members within its 4,096 characters): 180 members, 8,192 characters in all.
    for (const baggage of [many, `${member('a', 4096)},${member('b', 4095)}`, `${member('a', 4096)},${member('b', 4096)}`]) {
      assert.deepEqual(extract(w3cPropagator, { baggage }), extract(core, { baggage }));
    }
    assert.equal(extract(w3cPropagator, { baggage: many }).baggage?.length, 180);
    assert.equal(extract(w3cPropagator, { baggage: `${member('a', 4096)},${member('b', 4096)}` }).baggage?.length, 1, 'past 8,192 in all');
    // The Recommendation has no per-member limit: one member of 8,192 characters is read and sent (core drops it).
    const single = member('big', 8192);
    const read = extract(w3cPropagator, { baggage: single });
    assert.equal(read.baggage?.[0]?.[1]?.length, 8192 - 4);
    assert.equal(extract(w3cPropagator, { baggage: member('big', 8193) }).baggage, undefined, 'one over: nothing');
    const ctx = propagation.setBaggage(ROOT_CONTEXT, propagation.createBaggage({ big: { value: 'v'.repeat(8192 - 4) } }));
    assert.equal(inject(w3cPropagator, ctx).baggage, single);

    for (const entries of [
      Array.from({ length: 200 }, (_, i): [string, string] => [`k${i}`, '1']),
      [member('a', 4096), member('b', 4095)].map((m): [string, string] => [m[0] as string, m.slice(2)]),
      [member('a', 4096), member('b', 4096)].map((m): [string, string] => [m[0] as string, m.slice(2)]),
    ]) {
      const c = propagation.setBaggage(ROOT_CONTEXT, propagation.createBaggage(Object.fromEntries(entries.map(([k, v]) => [k, { value: v }]))));
      assert.deepEqual(inject(w3cPropagator, c), inject(core, c));
    }
  });

  it('honours the SDK’s suppress-tracing flag through the same context key', () => {
    const key = createContextKey('OpenTelemetry SDK Context Key SUPPRESS_TRACING');
    assert.equal(suppressTracing(ROOT_CONTEXT).getValue(key), true);
  });

  it('writes two hex digits of trace flags whatever their value', () => {
    const out: Record<string, string> = {};
    const ctx = trace.setSpanContext(ROOT_CONTEXT, { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 0x81 });
    w3cPropagator.inject(ctx, out, defaultTextMapSetter);
    assert.equal(out.traceparent, '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-81');
    assert.deepEqual(w3cPropagator.fields(), ['traceparent', 'tracestate', 'baggage']);
  });
});
