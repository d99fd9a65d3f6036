import { propagation, trace, type Tracer } from '@opentelemetry/api';
import { globalOrW3cPropagator, telemetryRegistered } from './global-telemetry';
import type { InstrumentationOptions } from './options';
import { MessagingMetrics } from './metrics/messaging-metrics';
import { legacyPropagators, type LegacyFormat } from './propagation/legacy-formats';
import type { Propagator } from './propagation/propagator';
import { SCOPE_NAME, VERSION } from './version';
import { CLIENT_GATE, type Gated } from './client-gate';

/**
 * The tracing state of one instrumented client (producer, consumer or transaction): the tracer,
 * propagators and metrics it works with, fixed when it is instrumented. @internal
 */
export interface ClientTracing {
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

/** Builds the tracing state of one client from its options. @internal */
export function clientTracing(options: InstrumentationOptions & { legacyFormats?: readonly LegacyFormat[]; pipelineEntries?: readonly string[] }): ClientTracing {
  const provider = options.tracerProvider ?? trace.getTracerProvider();
  const registered = options.tracerProvider || options.meterProvider ? () => true : telemetryRegistered;
  const gate = (options as Gated)[CLIENT_GATE];
  return {
    // A tracer from the global proxy provider follows a provider registered later, so taking it once is safe.
    tracer: provider.getTracer(SCOPE_NAME, VERSION),
    // An explicit provider means the caller wants tracing even if nothing is registered globally.
    propagator: options.propagator ?? (options.tracerProvider ? globalOrW3cPropagator : propagation),
    metrics: new MessagingMetrics(options.meterProvider, options.pipelineEntries),
    legacy: legacyPropagators(options.legacyFormats),
    active: gate ? () => gate() && registered() : registered,
  };
}
