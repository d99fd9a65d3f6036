import type { Context, TextMapGetter, TextMapSetter } from '@opentelemetry/api';

/** What the middleware needs of a propagator; both `propagation` and a `TextMapPropagator` fit. @internal */
export interface Propagator {
  inject<C>(context: Context, carrier: C, setter: TextMapSetter<C>): void;
  extract<C>(context: Context, carrier: C, getter: TextMapGetter<C>): Context;
  fields(): string[];
}
