import { ProxyTracerProvider, context as contextApi, createNoopMeter, metrics, propagation, trace, type MeterProvider, type Context, type Tracer } from '@opentelemetry/api';
import type { InstrumentationOptions } from '../options';
import { MessagingMetrics } from '../metrics/messaging-metrics';
import { legacyPropagators, type LegacyFormat } from '../propagation/legacy-formats';
import type { Propagator } from '../propagation/propagator';
import { w3cPropagator as W3C } from '../propagation/w3c-propagator';
import { SCOPE_NAME, VERSION } from '../version';

/**
 * The globally registered propagator, or W3C trace context + baggage while none is (the global
 * default is a no-op, recognisable by having no fields). Checked per use: registration may come later.
 */
const GLOBAL_OR_W3C: Propagator = {
  inject: (ctx, carrier, setter) => (propagation.fields().length > 0 ? propagation : W3C).inject(ctx, carrier, setter),
  extract: (ctx, carrier, getter) => (propagation.fields().length > 0 ? propagation : W3C).extract(ctx, carrier, getter),
  fields: () => (propagation.fields().length > 0 ? propagation : W3C).fields(),
};

/** The tracer and propagator one instrumented producer or consumer works with. @internal */
export interface TracingContext {
  tracer: Tracer;
  propagator: Propagator;
  metrics: MessagingMetrics;
  /** Extract-only propagators of the legacy formats the consumer opted into. */
  legacy: Propagator[];
  /**
   * False while neither a tracer provider nor a meter provider is there to receive anything: the
   * middleware then steps aside entirely, so an uninstrumented setup pays next to nothing.
   */
  active(): boolean;
}

// The API's shared no-op provider, as a ProxyTracerProvider without a delegate hands it out.
const NOOP_TRACER_PROVIDER = new ProxyTracerProvider().getDelegate();
const NOOP_METER = createNoopMeter();
let lastMeterProvider: MeterProvider | undefined;
let lastMeterProviderIsNoop = true;

/** Whether some tracer or meter provider is registered globally; cheap enough for every message. */
function globalTelemetryRegistered(): boolean {
  const tp = trace.getTracerProvider();
  if (!(tp instanceof ProxyTracerProvider) || tp.getDelegate() !== NOOP_TRACER_PROVIDER) return true;
  const mp = metrics.getMeterProvider();
  if (mp !== lastMeterProvider) {
    lastMeterProvider = mp;
    lastMeterProviderIsNoop = mp.getMeter('kafkajs-tracing-probe') === NOOP_METER;
  }
  return !lastMeterProviderIsNoop;
}

/** @internal */
export function tracingContext(options: InstrumentationOptions & { legacyFormats?: readonly LegacyFormat[] }): TracingContext {
  const provider = options.tracerProvider ?? trace.getTracerProvider();
  return {
    // A tracer from the global proxy provider follows a provider registered later, so taking it once is safe.
    tracer: provider.getTracer(SCOPE_NAME, VERSION),
    // An explicit provider means the caller wants tracing even if nothing is registered globally.
    propagator: options.propagator ?? (options.tracerProvider ? GLOBAL_OR_W3C : propagation),
    metrics: new MessagingMetrics(options.meterProvider),
    legacy: legacyPropagators(options.legacyFormats),
    active: options.tracerProvider || options.meterProvider ? () => true : globalTelemetryRegistered,
  };
}

/** Calls a user hook; whatever it throws stays here. @internal */
export function callHook<A, B>(hook: ((a: A, b: B) => void) | undefined, a: A, b: B): void {
  if (!hook) return;
  try {
    hook(a, b);
  } catch {
    // Hooks are the user's code running inside ours: their failure must not fail a send or a handler.
  }
}

/** The active context; a named helper so the hot path reads plainly. @internal */
export const activeContext = (): Context => contextApi.active();
