import { ROOT_CONTEXT, TraceFlags, trace, type Context, type TextMapGetter } from '@opentelemetry/api';
import type { Propagator } from './propagator';
import { jaegerPropagator } from './jaeger-propagator';

// The B3 propagator (and @opentelemetry/core under it) loads only when a consumer opts into that
// format: the middleware itself needs nothing but @opentelemetry/api.
/* eslint-disable @typescript-eslint/no-require-imports */
function loadB3(): typeof import('@opentelemetry/propagator-b3') {
  try {
    return require('@opentelemetry/propagator-b3') as typeof import('@opentelemetry/propagator-b3');
  } catch (err) {
    if ((err as { code?: string } | undefined)?.code !== 'MODULE_NOT_FOUND') throw err;
    throw new TypeError("legacyFormats: ['b3'] needs @opentelemetry/propagator-b3: npm install @opentelemetry/propagator-b3 (the release line of your other @opentelemetry packages)");
  }
}
/* eslint-enable @typescript-eslint/no-require-imports */

/**
 * Trace header formats older services write, read only when a message has no W3C `traceparent`:
 * - `jaeger`: `uber-trace-id` (and `uberctx-*` baggage), as Jaeger clients write it;
 * - `b3`: Zipkin B3, single `b3` header or `X-B3-TraceId`/`X-B3-SpanId`/`X-B3-Sampled`;
 * - `hex`: plain `trace_id` / `span_id` hex headers (optional `sampled`), as some Go and Java
 *   services write by hand.
 */
export type LegacyFormat = 'jaeger' | 'b3' | 'hex';

const HEX32 = /^[0-9a-f]{32}$/;
const HEX16 = /^[0-9a-f]{16}$/;

/** Extract-only propagator for plain `trace_id`/`span_id` headers. */
class HexIdsPropagator implements Propagator {
  inject(): void {}
  fields(): string[] {
    return [];
  }
  extract<C>(context: Context, carrier: C, getter: TextMapGetter<C>): Context {
    const one = (key: string): string | undefined => {
      const v = getter.get(carrier, key);
      return (Array.isArray(v) ? v[0] : v)?.trim().toLowerCase();
    };
    let traceId = one('trace_id');
    const spanId = one('span_id');
    if (!traceId || !spanId) return context;
    if (HEX16.test(traceId)) traceId = traceId.padStart(32, '0'); // 64-bit ids of older tracers
    if (!HEX32.test(traceId) || !HEX16.test(spanId) || /^0+$/.test(traceId) || /^0+$/.test(spanId)) return context;
    const sampled = one('sampled');
    const traceFlags = sampled === '0' || sampled === 'false' ? TraceFlags.NONE : TraceFlags.SAMPLED;
    return trace.setSpanContext(context, { traceId, spanId, traceFlags, isRemote: true });
  }
}

/** Builds the extract-only propagators of the chosen legacy formats, in the given order. @internal */
export function legacyPropagators(formats: readonly LegacyFormat[] | undefined): Propagator[] {
  if (!formats || formats.length === 0) return [];
  return formats.map((f) => {
    switch (f) {
      case 'jaeger':
        return jaegerPropagator;
      case 'b3': {
        const { B3Propagator, B3InjectEncoding } = loadB3();
        // Extraction reads both encodings whatever the inject encoding says.
        return new B3Propagator({ injectEncoding: B3InjectEncoding.MULTI_HEADER });
      }
      case 'hex':
        return new HexIdsPropagator();
      default:
        throw new TypeError(`unknown legacy trace header format: ${String(f)}`);
    }
  });
}

/**
 * `base` with the span context (and, for Jaeger, the `uberctx-*` baggage) of the first legacy format
 * that yields a valid span context; `base` itself when none does. @internal
 */
export function extractLegacy<C>(propagators: Propagator[], carrier: C, getter: TextMapGetter<C>, base: Context = ROOT_CONTEXT): Context {
  for (const p of propagators) {
    const ctx = p.extract(base, carrier, getter);
    const sc = trace.getSpanContext(ctx);
    if (sc && trace.isSpanContextValid(sc)) return ctx;
  }
  return base;
}
