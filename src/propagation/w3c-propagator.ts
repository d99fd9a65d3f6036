import {
  baggageEntryMetadataFromString,
  createContextKey,
  propagation,
  trace,
  type Baggage,
  type BaggageEntry,
  type Context,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
} from '@opentelemetry/api';
import { parseTraceState } from './trace-state';
import { formatTraceparent, isValidSpanContext, parseTraceparent, type CheckedSpanContext } from './traceparent';

// W3C Trace Context (`traceparent`, `tracestate`) and W3C Baggage (`baggage`): what startTracing
// registers, and what the middleware uses when a `tracerProvider` is passed while no propagator is
// registered globally. Written here so the middleware needs nothing but @opentelemetry/api at run
// time, and to pass the W3C test suite at its strictest (scripts/w3c/), where @opentelemetry/core's
// propagators fail four of its tests; on well-formed input both agree (test/unit/propagation/).
// Repeated headers (Kafka allows them) come as a list from the getter.

/** The SDK's "suppress tracing" flag: context keys are global symbols, so this is the SDK's own key. */
const SUPPRESS_TRACING = createContextKey('OpenTelemetry SDK Context Key SUPPRESS_TRACING');
const isSuppressed = (ctx: Context): boolean => ctx.getValue(SUPPRESS_TRACING) === true;

/** The values of a header as a list: a carrier may hand one value or several (repeated header names). */
function values(header: string | string[] | undefined): string[] {
  if (header === undefined) return [];
  return (Array.isArray(header) ? header : [header]).filter((v): v is string => typeof v === 'string');
}

/**
 * The span context of `traceparent` header values: undefined unless there is exactly one, valid
 * (several, a repeated header, are invalid: the trace starts anew).
 * @internal
 */
export function traceparentOf(header: string | string[] | undefined): CheckedSpanContext | undefined {
  if (typeof header === 'string') return parseTraceparent(header);
  const list = values(header);
  return list.length === 1 ? parseTraceparent(list[0] as string) : undefined;
}

/**
 * Sets the tracestate of `tracestate` header values on `sc`: several values are one list, in order;
 * an invalid list is discarded whole.
 * @internal
 */
export function addTracestate(sc: CheckedSpanContext, header: string | string[] | undefined): CheckedSpanContext {
  if (header === undefined) return sc;
  const state = parseTraceState(values(header));
  if (state) sc.traceState = state;
  return sc;
}

/**
 * W3C Trace Context (`traceparent`, `tracestate`), at the strictness of the W3C test suite. What
 * `startTracing` registers for `tracecontext`. @internal
 */
export const traceContextPropagator: TextMapPropagator = {
  inject(ctx: Context, carrier: unknown, setter: TextMapSetter<unknown>): void {
    const sc = trace.getSpanContext(ctx);
    if (!sc || isSuppressed(ctx) || !isValidSpanContext(sc)) return;
    setter.set(carrier, 'traceparent', formatTraceparent(sc));
    // An empty list is no header (W3C: SHOULD NOT send an empty tracestate).
    const state = sc.traceState?.serialize();
    if (state) setter.set(carrier, 'tracestate', state);
  },
  extract(ctx: Context, carrier: unknown, getter: TextMapGetter<unknown>): Context {
    const sc = traceparentOf(getter.get(carrier, 'traceparent'));
    // tracestate is read only beside a valid traceparent.
    return sc ? trace.setSpanContext(ctx, addTracestate(sc, getter.get(carrier, 'tracestate'))) : ctx;
  },
  fields: () => ['traceparent', 'tracestate'],
};

/**
 * W3C Baggage limits: list members and bytes in all (the header is ASCII, so characters). The
 * Recommendation asks for at least 64 members and 8,192 bytes; it sets no limit per member (the
 * 4,096 of its 2020 draft is gone), so one member may take the whole 8,192.
 */
const MAX_BAGGAGE_ENTRIES = 180;
const MAX_BAGGAGE_HEADER = 8192;

interface BaggageTally {
  count: number;
  size: number;
}

/** One `key=value;metadata` list member, decoded; undefined when malformed. */
function parseBaggageMember(member: string): [string, BaggageEntry] | undefined {
  const semicolon = member.indexOf(';');
  const pair = semicolon < 0 ? member : member.slice(0, semicolon);
  const equals = pair.indexOf('=');
  if (equals <= 0) return undefined;
  const rawKey = pair.slice(0, equals).trim();
  const rawValue = pair.slice(equals + 1).trim();
  if (!rawKey || !rawValue) return undefined;
  let key: string;
  let value: string;
  try {
    key = decodeURIComponent(rawKey);
    value = decodeURIComponent(rawValue);
  } catch {
    return undefined; // malformed percent-encoding: this member is dropped, the others kept
  }
  const hasMetadata = semicolon >= 0 && semicolon < member.length - 1;
  return [key, hasMetadata ? { value, metadata: baggageEntryMetadataFromString(member.slice(semicolon + 1)) } : { value }];
}

/** Reads one header value's members into `into`, within the limits shared by all values. */
function readBaggageHeader(header: string, into: Record<string, BaggageEntry>, tally: BaggageTally): void {
  let start = 0;
  while (start < header.length && tally.count < MAX_BAGGAGE_ENTRIES) {
    const comma = header.indexOf(',', start);
    const end = comma < 0 ? header.length : comma;
    const length = end - start;
    const parsed = length > 0 && length <= MAX_BAGGAGE_HEADER ? parseBaggageMember(header.slice(start, end)) : undefined;
    if (parsed) {
      const size = length + (tally.count > 0 ? 1 : 0);
      if (tally.size + size > MAX_BAGGAGE_HEADER) return;
      into[parsed[0]] = parsed[1];
      tally.count++;
      tally.size += size;
    }
    if (comma < 0) return;
    start = comma + 1;
  }
}

/** The baggage of `baggage` header values, within the W3C limits; undefined when they hold no valid member. @internal */
export function readBaggage(header: string | string[] | undefined): Baggage | undefined {
  if (!header) return undefined;
  const entries: Record<string, BaggageEntry> = {};
  const tally: BaggageTally = { count: 0, size: 0 };
  for (const value of Array.isArray(header) ? header : [header]) if (typeof value === 'string') readBaggageHeader(value, entries, tally);
  return tally.count === 0 ? undefined : propagation.createBaggage(entries);
}

/** W3C Baggage (`baggage`). What `startTracing` registers for `baggage`. @internal */
export const baggagePropagator: TextMapPropagator = {
  inject(ctx: Context, carrier: unknown, setter: TextMapSetter<unknown>): void {
    const bag = propagation.getBaggage(ctx);
    if (!bag || isSuppressed(ctx)) return;
    let header = '';
    let members = 0;
    for (const [key, entry] of bag.getAllEntries()) {
      let member = `${encodeURIComponent(key)}=${encodeURIComponent(entry.value)}`;
      if (entry.metadata !== undefined) member += `;${entry.metadata.toString()}`; // metadata is sent as given
      if (member.length > MAX_BAGGAGE_HEADER) continue;
      if (members++ >= MAX_BAGGAGE_ENTRIES) break;
      const longer = header ? `${header},${member}` : member;
      if (longer.length <= MAX_BAGGAGE_HEADER) header = longer; // a member that does not fit is skipped, later ones may
    }
    if (header) setter.set(carrier, 'baggage', header);
  },
  extract(ctx: Context, carrier: unknown, getter: TextMapGetter<unknown>): Context {
    const bag = readBaggage(getter.get(carrier, 'baggage'));
    return bag ? propagation.setBaggage(ctx, bag) : ctx;
  },
  fields: () => ['baggage'],
};

/** The fields of {@link w3cPropagator}, one frozen list. @internal */
export const W3C_FIELDS: string[] = Object.freeze(['traceparent', 'tracestate', 'baggage']) as string[];

/**
 * W3C trace context + baggage, the propagation `startTracing` registers, for when a tracer
 * provider is passed in but no propagator is registered globally. @internal
 */
export const w3cPropagator: TextMapPropagator = {
  inject(ctx, carrier, setter) {
    traceContextPropagator.inject(ctx, carrier, setter);
    baggagePropagator.inject(ctx, carrier, setter);
  },
  extract(ctx, carrier, getter) {
    return baggagePropagator.extract(traceContextPropagator.extract(ctx, carrier, getter), carrier, getter);
  },
  // One frozen list: `propagation.fields()` returning it tells the middleware this propagator is the
  // global one, so it may read and write the three headers directly (see w3c-headers.ts).
  fields: () => W3C_FIELDS,
};
