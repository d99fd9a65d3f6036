// The consumer's one-pass read of the W3C headers (extractW3cHeaders) against the propagator it
// stands in for, w3cPropagator.extract over headerGetter: the same span context and the same baggage
// for any header record, hostile ones included. And the regex-free traceparent parser against the
// regular expression it replaced, on values near the valid shape.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ROOT_CONTEXT, propagation, trace, type Context } from '@opentelemetry/api';
import type { IHeaders } from 'kafkajs';
import { extractW3cHeaders } from '../../../src/propagation/w3c-headers';
import { w3cPropagator } from '../../../src/propagation/w3c-propagator';
import { headerGetter } from '../../../src/propagation/header-carrier';
import { parseTraceparent, formatTraceparent, isValidSpanContext, CheckedSpanContext } from '../../../src/propagation/traceparent';

fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261206) });

/** What a context carries, comparably: the span context's fields and the baggage entries. */
function carried(ctx: Context) {
  const sc = trace.getSpanContext(ctx);
  const bag = propagation.getBaggage(ctx);
  return {
    span: sc && { traceId: sc.traceId, spanId: sc.spanId, traceFlags: sc.traceFlags, isRemote: sc.isRemote, state: sc.traceState?.serialize() },
    baggage: bag?.getAllEntries().map(([k, e]) => [k, e.value, e.metadata?.toString()]),
  };
}

const viaPropagator = (headers: IHeaders) => carried(w3cPropagator.extract(ROOT_CONTEXT, headers, headerGetter));
const direct = (headers: IHeaders) => carried(extractW3cHeaders(headers).context);

/** The regular expression the parser replaced (kept here as the reference for it). */
function regexParse(value: string) {
  const m = /^([\da-f]{2})-([\da-f]{32})-([\da-f]{16})-([\da-f]{2})(-.*)?$/.exec(value.replace(/^[ \t]+|[ \t]+$/g, ''));
  if (!m) return undefined;
  const [, version, traceId = '', spanId = '', flags = '', rest] = m;
  if (version === 'ff' || (version === '00' && rest !== undefined) || /^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined;
  return { traceId, spanId, traceFlags: parseInt(flags, 16) };
}

const hex = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: n, maxLength: n });
const anyHex = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'), minLength: n, maxLength: n });
const traceparentLike = fc
  .record({
    before: fc.constantFrom('', ' ', '\t', ' \t', '\n'),
    version: fc.oneof(fc.constant('00'), fc.constant('ff'), fc.constant('01'), fc.constant('cc'), anyHex(2), fc.string({ maxLength: 3 })),
    traceId: fc.oneof(hex(32), anyHex(32), fc.constant('0'.repeat(32)), hex(31), hex(33)),
    spanId: fc.oneof(hex(16), anyHex(16), fc.constant('0'.repeat(16)), hex(15), hex(17)),
    flags: fc.oneof(hex(2), anyHex(2), fc.string({ maxLength: 3 })),
    extra: fc.option(fc.oneof(fc.constant('-'), fc.string({ maxLength: 12 }).map((s) => `-${s}`), fc.constantFrom('-a\nb', '-\u2028', '-x\r'), fc.string({ maxLength: 5 }))),
    after: fc.constantFrom('', ' ', '\t', '\t ', '\r'),
  })
  .map(({ before, version, traceId, spanId, flags, extra, after }) => `${before}${version}-${traceId}-${spanId}-${flags}${extra ?? ''}${after}`);

const value = (s: fc.Arbitrary<string>) =>
  fc.oneof(
    s,
    s.map((v) => Buffer.from(v)),
    fc.array(fc.oneof(s, s.map((v) => Buffer.from(v))), { maxLength: 3 }),
    fc.uint8Array({ maxLength: 60 }).map((b) => Buffer.from(b)),
    fc.constantFrom(undefined, 42 as unknown as string),
  );
const member = fc.tuple(fc.stringMatching(/^[a-z][a-z0-9_@]{0,6}$/), fc.stringMatching(/^[a-zA-Z0-9%;= ]{0,10}$/));
const list = fc.array(member, { maxLength: 5 }).map((ms) => ms.map(([k, v]) => `${k}=${v}`).join(','));
const headerRecord = fc.dictionary(
  fc.oneof(fc.constantFrom('traceparent', 'TraceParent', 'TRACEPARENT', 'tracestate', 'TraceState', 'baggage', 'Baggage', 'BAGGAGE'), fc.string({ maxLength: 12 })),
  fc.oneof(value(traceparentLike), value(list)),
  { maxKeys: 6 },
);

describe('extractW3cHeaders', () => {
  it('reads what w3cPropagator.extract over headerGetter reads, for any header record (30,000 cases)', () => {
    fc.assert(
      fc.property(headerRecord, (headers) => {
        assert.deepEqual(direct(headers as IHeaders), viaPropagator(headers as IHeaders));
      }),
      { numRuns: 30000 },
    );
  });

  it('fixed cases: exact key first, an unreadable exact key gives way, repeated and oversized values', () => {
    const valid = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const other = '00-11111111111111111111111111111111-2222222222222222-00';
    const cases: IHeaders[] = [
      { traceparent: Buffer.from(valid) },
      { TraceParent: other, traceparent: valid },
      { traceparent: 7 as unknown as string, TRACEPARENT: valid },
      { traceparent: 'x'.repeat(9000), Traceparent: valid },
      { traceparent: [valid, valid] },
      { traceparent: valid, tracestate: ['a=1', 'b=2'], baggage: 'k=v;m,x=%20y' },
      { traceparent: valid, TraceState: 'a=1', tracestate: 'A=1' },
      { traceparent: valid, TraceState: 'a=1', BAGGAGE: 'b=2' },
      { baggage: 'only=bag' },
      { tracestate: 'a=1' },
      {},
    ];
    for (const headers of cases) assert.deepEqual(direct(headers), viaPropagator(headers), JSON.stringify(headers));
    assert.equal(direct(cases[1] as IHeaders).span?.spanId, 'b7ad6b7169203331', 'the exact lowercase key wins');
    assert.equal(direct(cases[2] as IHeaders).span?.spanId, 'b7ad6b7169203331', 'an exact key that reads as nothing gives way');
    assert.equal(direct(cases[5] as IHeaders).baggage?.length, 2);
    assert.deepEqual([direct(cases[7] as IHeaders).span?.state, direct(cases[7] as IHeaders).baggage], ['a=1', [['b', '2', undefined]]], 'keys in another case are read');
  });

  it('a record that throws reads as no header, never an exception', () => {
    const throwsOnKeys = new Proxy({} as IHeaders, {
      ownKeys: () => {
        throw new Error('hostile ownKeys');
      },
    });
    assert.equal(extractW3cHeaders(throwsOnKeys).spanContext, undefined);
    const throwsOnRead = Object.defineProperty({ baggage: 'a=1' }, 'traceparent', {
      enumerable: true,
      get: () => {
        throw new Error('hostile getter');
      },
    }) as IHeaders;
    const read = direct(throwsOnRead);
    assert.equal(read.span, undefined);
    assert.deepEqual(read, viaPropagator(throwsOnRead), 'the other headers are still read, as the getter reads them');
  });

  it('returns the span context it parsed, known valid', () => {
    const { spanContext } = extractW3cHeaders({ traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-03' });
    assert.ok(spanContext instanceof CheckedSpanContext);
    assert.equal(spanContext.traceFlags, 3);
    assert.equal(spanContext.isRemote, true);
  });
});

describe('parseTraceparent', () => {
  it('agrees with the regular expression it replaced (40,000 cases)', () => {
    fc.assert(
      fc.property(traceparentLike, (v) => {
        const parsed = parseTraceparent(v);
        const expected = regexParse(v);
        assert.deepEqual(parsed && { traceId: parsed.traceId, spanId: parsed.spanId, traceFlags: parsed.traceFlags }, expected, JSON.stringify(v));
      }),
      { numRuns: 40000 },
    );
  });

  it('writes back what it read, and only a checked span context skips the validity check', () => {
    const v = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const sc = parseTraceparent(v);
    assert.ok(sc);
    assert.equal(formatTraceparent(sc), v);
    assert.equal(formatTraceparent({ ...sc, traceFlags: 0 }), v.replace(/01$/, '00'));
    assert.equal(isValidSpanContext({ traceId: '0'.repeat(32), spanId: sc.spanId, traceFlags: 1 }), false, 'a plain object is checked');
    assert.equal(isValidSpanContext({ ...sc }), true);
  });
});
