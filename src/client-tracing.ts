import { ProxyTracerProvider, propagation, trace, type Tracer, type TracerProvider } from '@opentelemetry/api';
import { asLazyTracer, START_LAZILY, type LazyTracer, type StartLazily } from './spans/lazy-start';
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
  /**
   * Starts a span of {@link tracer}'s, the attributes built only if the tracer needs them: through
   * the lazy start of startTracing's tracer when it is the one in effect (given, or behind the global
   * proxy), else `tracer.startSpan` with the attributes built first.
   */
  startSpan: StartLazily;
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
  // A tracer from the global proxy provider follows a provider registered later, so taking it once is safe.
  const tracer = provider.getTracer(SCOPE_NAME, VERSION);
  return {
    tracer,
    startSpan: spanStarter(provider, tracer),
    // An explicit provider means the caller wants tracing even if nothing is registered globally.
    propagator: options.propagator ?? (options.tracerProvider ? globalOrW3cPropagator : propagation),
    metrics: new MessagingMetrics(options.meterProvider, options.pipelineEntries),
    legacy: legacyPropagators(options.legacyFormats),
    active: gate ? () => gate() && registered() : registered,
  };
}

/**
 * The `startSpan` of {@link ClientTracing}. Behind the global proxy the delegate is looked up on each
 * call (one identity check while it stays the same), since a provider may be registered after the
 * client was instrumented.
 */
function spanStarter(provider: TracerProvider, tracer: Tracer): StartLazily {
  const eager: StartLazily = (name, kind, ctx, attributes, arg, links, startTime) => tracer.startSpan(name, { kind, attributes: attributes(arg), links, startTime }, ctx);
  const direct = asLazyTracer(tracer);
  if (direct) return (name, kind, ctx, attributes, arg, links, startTime) => direct[START_LAZILY](name, kind, ctx, attributes, arg, links, startTime);
  if (!(provider instanceof ProxyTracerProvider)) return eager;
  let delegate: TracerProvider | undefined;
  let lazy: LazyTracer | undefined;
  return (name, kind, ctx, attributes, arg, links, startTime) => {
    const current = provider.getDelegate();
    if (current !== delegate) {
      delegate = current;
      lazy = asLazyTracer(current.getTracer(SCOPE_NAME, VERSION));
    }
    return lazy ? lazy[START_LAZILY](name, kind, ctx, attributes, arg, links, startTime) : eager(name, kind, ctx, attributes, arg, links, startTime);
  };
}
