import { context as contextApi, propagation, trace, type Context, type Tracer } from '@opentelemetry/api';
import { globalOrW3cPropagator, telemetryRegistered } from '../global-telemetry';
import type { InstrumentationOptions } from '../options';
import { MessagingMetrics } from '../metrics/messaging-metrics';
import { legacyPropagators, type LegacyFormat } from '../propagation/legacy-formats';
import type { Propagator } from '../propagation/propagator';
import { SCOPE_NAME, VERSION } from '../version';
import { reportSwallowed } from '../diag/report-once';

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

/** @internal */
export function tracingContext(options: InstrumentationOptions & { legacyFormats?: readonly LegacyFormat[] }): TracingContext {
  const provider = options.tracerProvider ?? trace.getTracerProvider();
  return {
    // A tracer from the global proxy provider follows a provider registered later, so taking it once is safe.
    tracer: provider.getTracer(SCOPE_NAME, VERSION),
    // An explicit provider means the caller wants tracing even if nothing is registered globally.
    propagator: options.propagator ?? (options.tracerProvider ? globalOrW3cPropagator : propagation),
    metrics: new MessagingMetrics(options.meterProvider),
    legacy: legacyPropagators(options.legacyFormats),
    active: options.tracerProvider || options.meterProvider ? () => true : telemetryRegistered,
  };
}

/** Calls a user hook; whatever it throws stays here. @internal */
export function callHook<A, B>(hook: ((a: A, b: B) => void) | undefined, a: A, b: B): void {
  if (!hook) return;
  try {
    hook(a, b);
  } catch (err) {
    // Hooks are the user's code running inside ours: their failure must not fail a send or a handler.
    reportSwallowed('hook', err);
  }
}

/** The active context; a named helper so the hot path reads plainly. @internal */
export const activeContext = (): Context => contextApi.active();
