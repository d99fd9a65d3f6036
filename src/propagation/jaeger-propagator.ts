import { TraceFlags, createContextKey, propagation, trace, type BaggageEntry, type Context, type TextMapGetter, type TextMapPropagator, type TextMapSetter } from '@opentelemetry/api';

// Jaeger's own header format: `uber-trace-id: {trace-id}:{span-id}:{parent-span-id}:{flags}` and one
// `uberctx-{key}` header per baggage entry. Written here because @opentelemetry/propagator-jaeger
// ends with SDK 2.x (the specification deprecated the format), while services that still write it do not.

const TRACE_HEADER = 'uber-trace-id';
const BAGGAGE_PREFIX = 'uberctx-';
/** Most baggage entries a context gets from headers, W3C and `uberctx-*` together (the W3C propagator's cap). */
const MAX_BAGGAGE_ENTRIES = 180;
const HEX_ID = /^[0-9a-f]{1,32}$/;
const HEX_SPAN = /^[0-9a-f]{1,16}$/;
const HEX_FLAGS = /^[0-9a-f]{1,2}$/;
const ALL_ZERO = /^0+$/;

const SUPPRESS_TRACING = createContextKey('OpenTelemetry SDK Context Key SUPPRESS_TRACING');

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function decode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

/** Parses `uber-trace-id` (URL-encoded or not); 64-bit trace ids are padded to 128. Undefined when malformed. */
function parseTraceHeader(raw: string): { traceId: string; spanId: string; traceFlags: number } | undefined {
  const parts = decode(raw.trim())?.toLowerCase().split(':');
  if (!parts || parts.length !== 4) return undefined;
  const [traceId = '', spanId = '', , flags = ''] = parts;
  if (!HEX_ID.test(traceId) || !HEX_SPAN.test(spanId) || ALL_ZERO.test(traceId) || ALL_ZERO.test(spanId)) return undefined;
  // Jaeger's flags: 1 sampled, 2 debug (not W3C's random bit), 8 firehose; only the sampled bit carries over.
  const traceFlags = HEX_FLAGS.test(flags) ? parseInt(flags, 16) & TraceFlags.SAMPLED : TraceFlags.SAMPLED;
  return { traceId: traceId.padStart(32, '0'), spanId: spanId.padStart(16, '0'), traceFlags };
}

/**
 * Jaeger propagation. Extract reads at most as many `uberctx-*` headers as the baggage cap leaves room
 * for, in one pass over the keys, before decoding any (16,000 such headers once cost 18 s through the
 * OpenTelemetry propagator, which copies the whole baggage per entry). Inject writes the sampled flag
 * only: W3C's random bit is Jaeger's debug bit. @internal
 */
export const jaegerPropagator: TextMapPropagator = {
  inject(ctx: Context, carrier: unknown, setter: TextMapSetter<unknown>): void {
    if (ctx.getValue(SUPPRESS_TRACING) === true) return;
    const sc = trace.getSpanContext(ctx);
    if (sc && trace.isSpanContextValid(sc)) setter.set(carrier, TRACE_HEADER, `${sc.traceId}:${sc.spanId}:0:0${sc.traceFlags & TraceFlags.SAMPLED}`);
    const bag = propagation.getBaggage(ctx);
    if (bag) for (const [key, entry] of bag.getAllEntries()) setter.set(carrier, `${BAGGAGE_PREFIX}${key}`, encodeURIComponent(entry.value));
  },
  extract(ctx: Context, carrier: unknown, getter: TextMapGetter<unknown>): Context {
    let out = ctx;
    const header = first(getter.get(carrier, TRACE_HEADER));
    const parsed = typeof header === 'string' ? parseTraceHeader(header) : undefined;
    if (parsed) out = trace.setSpanContext(out, { ...parsed, isRemote: true });
    const current = propagation.getBaggage(ctx);
    const entries: Record<string, BaggageEntry> = Object.fromEntries(current?.getAllEntries() ?? []);
    let room = MAX_BAGGAGE_ENTRIES - Object.keys(entries).length;
    let added = 0;
    for (const key of getter.keys(carrier)) {
      if (room <= 0) break;
      if (!key.startsWith(BAGGAGE_PREFIX)) continue;
      const raw = first(getter.get(carrier, key));
      const value = typeof raw === 'string' ? decode(raw) : undefined;
      if (value === undefined) continue;
      const name = key.slice(BAGGAGE_PREFIX.length);
      if (!(name in entries)) room--;
      entries[name] = { value };
      added++;
    }
    return added === 0 ? out : propagation.setBaggage(out, propagation.createBaggage(entries));
  },
  fields: () => [TRACE_HEADER],
};
