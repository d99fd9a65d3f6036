import { ProxyTracerProvider, ROOT_CONTEXT, context, createContextKey, createNoopMeter, metrics, propagation, trace, type Meter, type MeterProvider } from '@opentelemetry/api';
import type { Propagator } from './propagation/propagator';
import { W3C_FIELDS, w3cPropagator } from './propagation/w3c-propagator';

// The one place that asks @opentelemetry/api what is registered globally. Each answer rests on an
// assumption about the API, pinned by test/unit/global-telemetry.test.ts:
// - `trace.getTracerProvider()` is a ProxyTracerProvider whose delegate, while nothing is registered,
//   is the API's shared no-op provider, the same object a fresh ProxyTracerProvider hands out;
// - the no-op meter provider hands out the shared no-op meter that `createNoopMeter()` returns, and
//   `metrics.getMeterProvider()` has no proxy: a provider registered later is another object;
// - the no-op propagator has no fields, and any propagator that writes a header has some;
// - the no-op context manager does not carry a value into `context.with`.
// Identity and behaviour only: no class names, which minifiers rename.

const NOOP_TRACER_PROVIDER = new ProxyTracerProvider().getDelegate();
const NOOP_METER = createNoopMeter();

/** Whether a real tracer provider is registered globally (any, including another API copy's). @internal */
export function tracerProviderRegistered(): boolean {
  const provider = trace.getTracerProvider();
  return !(provider instanceof ProxyTracerProvider) || provider.getDelegate() !== NOOP_TRACER_PROVIDER;
}

/** Whether a meter is the API's no-op one, i.e. its data points go nowhere. @internal */
export function isNoopMeter(meter: Meter): boolean {
  return meter === NOOP_METER;
}

let lastMeterProvider: MeterProvider | undefined;
let lastMeterProviderReal = false;

/** Whether a real meter provider is registered globally; one identity check when nothing changed. @internal */
export function meterProviderRegistered(): boolean {
  const provider = metrics.getMeterProvider();
  if (provider !== lastMeterProvider) {
    lastMeterProvider = provider;
    lastMeterProviderReal = !isNoopMeter(provider.getMeter('kafkajs-tracing-probe'));
  }
  return lastMeterProviderReal;
}

/** Whether any tracer or meter provider is registered: while neither is, the middleware steps aside. @internal */
export function telemetryRegistered(): boolean {
  return tracerProviderRegistered() || meterProviderRegistered();
}

/** Whether a propagator is registered globally (the API's default writes nothing and has no fields). @internal */
export function propagatorRegistered(): boolean {
  return propagation.fields().length > 0;
}

const PROBE = createContextKey('kafkajs-tracing context manager probe');

/** Whether a context manager is registered globally: the API's no-op one does not carry values into `with`. @internal */
export function contextManagerRegistered(): boolean {
  return context.with(ROOT_CONTEXT.setValue(PROBE, true), () => context.active().getValue(PROBE) === true);
}

const pick = (): Propagator => (propagatorRegistered() ? propagation : w3cPropagator);

/**
 * The globally registered propagator, or W3C trace context + baggage while none is: for a client
 * given its own tracer provider, which wants its context carried even if nothing is registered.
 * Decided per use, so a propagator registered later takes over. @internal
 */
export const globalOrW3cPropagator: Propagator = {
  inject: (ctx, carrier, setter) => pick().inject(ctx, carrier, setter),
  extract: (ctx, carrier, getter) => pick().extract(ctx, carrier, getter),
  fields: () => pick().fields(),
};

/**
 * Whether `propagator` is, right now, this package's W3C trace context + baggage propagator: given
 * directly, or registered globally (what `startTracing` registers by default), which its fields list
 * identifies. The middleware then reads and writes the three headers itself. @internal
 */
export function readsW3cDirectly(propagator: Propagator): boolean {
  if (propagator === w3cPropagator) return true;
  if (propagator !== propagation && propagator !== globalOrW3cPropagator) return false;
  const fields = propagation.fields();
  return fields === W3C_FIELDS || (propagator === globalOrW3cPropagator && fields.length === 0);
}
