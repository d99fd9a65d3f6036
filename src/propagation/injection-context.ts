import { trace, type Context, type Span } from '@opentelemetry/api';

/**
 * The API's own key for the active span, read once through `trace.setSpan` (the API keeps it
 * private): a probe context records the key it is given.
 */
const SPAN_KEY: symbol = (() => {
  let key: symbol | undefined;
  const probe: Context = {
    getValue: () => undefined,
    setValue: (k) => ((key = k), probe),
    deleteValue: () => probe,
  };
  trace.setSpan(probe, trace.wrapSpanContext({ traceId: '', spanId: '', traceFlags: 0 }));
  if (!key) throw new Error('@opentelemetry/api: trace.setSpan set no context value');
  return key;
})();

/**
 * `parent` with `span` active, for a propagator's `inject` only. The API's contexts copy their
 * whole map on every `setValue` (the parent's baggage, suppression and any value an application
 * keeps there); this one holds the span and asks the parent for anything else. Nothing keeps it:
 * it lives for one `inject` call. Should a propagator derive a context from it, that one is made
 * the API's way, so it behaves exactly as `trace.setSpan(parent, span)` would have.
 */
class SpanOverParent implements Context {
  constructor(
    private readonly parent: Context,
    private readonly span: Span,
  ) {}

  getValue(key: symbol): unknown {
    return key === SPAN_KEY ? this.span : this.parent.getValue(key);
  }

  setValue(key: symbol, value: unknown): Context {
    return trace.setSpan(this.parent, this.span).setValue(key, value);
  }

  deleteValue(key: symbol): Context {
    return trace.setSpan(this.parent, this.span).deleteValue(key);
  }
}

/** `trace.setSpan(parent, span)` for an `inject` call, without copying the parent's values. @internal */
export function spanContextForInject(parent: Context, span: Span): Context {
  return new SpanOverParent(parent, span);
}
