import { propagation, trace, type Baggage, type Context, type Span } from '@opentelemetry/api';

/** The key the API sets a value under, read through a probe context (the API keeps its keys private). */
function keyOf(set: (probe: Context) => unknown, what: string): symbol {
  let key: symbol | undefined;
  const probe: Context = {
    getValue: () => undefined,
    setValue: (k) => ((key = k), probe),
    deleteValue: () => probe,
  };
  set(probe);
  if (!key) throw new Error(`@opentelemetry/api: ${what} set no context value`);
  return key;
}

/** The API's key for the active span. */
const SPAN_KEY = keyOf((probe) => trace.setSpan(probe, trace.wrapSpanContext({ traceId: '', spanId: '', traceFlags: 0 })), 'trace.setSpan');
/** The API's key for baggage. */
const BAGGAGE_KEY = keyOf((probe) => propagation.setBaggage(probe, propagation.createBaggage()), 'propagation.setBaggage');

/**
 * `parent` with one or two values set, without copying the parent's. The API's contexts copy their
 * whole map on every `setValue` (the parent's baggage, suppression and any value an application
 * keeps there), and a message's context was set twice (its span, its pipeline origin): this one
 * holds its values and asks the parent for anything else. A context derived from it is made the
 * API's way, once (and kept), so it behaves exactly as one built with `setValue` throughout.
 */
class Overlay implements Context {
  private flat: Context | undefined;

  constructor(
    private readonly parent: Context,
    private readonly key: symbol,
    private readonly value: unknown,
    private readonly key2?: symbol,
    private readonly value2?: unknown,
  ) {}

  getValue(key: symbol): unknown {
    if (key === this.key) return this.value;
    if (key === this.key2 && this.key2 !== undefined) return this.value2;
    return this.parent.getValue(key);
  }

  setValue(key: symbol, value: unknown): Context {
    return this.flatten().setValue(key, value);
  }

  deleteValue(key: symbol): Context {
    return this.flatten().deleteValue(key);
  }

  private flatten(): Context {
    if (!this.flat) {
      const one = this.parent.setValue(this.key, this.value);
      this.flat = this.key2 === undefined ? one : one.setValue(this.key2, this.value2);
    }
    return this.flat;
  }
}

/** `trace.setSpan(parent, span)` without copying the parent's values (see {@link Overlay}). @internal */
export function withSpan(parent: Context, span: Span): Context {
  return new Overlay(parent, SPAN_KEY, span);
}

/** `trace.setSpan(parent, span).setValue(key, value)` in one object (see {@link Overlay}). @internal */
export function withSpanAndValue(parent: Context, span: Span, key: symbol, value: unknown): Context {
  return new Overlay(parent, SPAN_KEY, span, key, value);
}

/** `parent` with `span` active and, when given, `baggage` set (see {@link Overlay}). @internal */
export function withSpanAndBaggage(parent: Context, span: Span, baggage: Baggage | undefined): Context {
  return baggage ? new Overlay(parent, SPAN_KEY, span, BAGGAGE_KEY, baggage) : new Overlay(parent, SPAN_KEY, span);
}

/** `propagation.setBaggage(parent, baggage)` without copying the parent's values (see {@link Overlay}). @internal */
export function withBaggage(parent: Context, baggage: Baggage): Context {
  return new Overlay(parent, BAGGAGE_KEY, baggage);
}
