import { context, diag, metrics, propagation, trace, type TextMapPropagator, type TracerProvider } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { MeterProvider } from '@opentelemetry/sdk-metrics';
import { contextManagerRegistered, propagatorRegistered, tracerProviderRegistered } from '../global-telemetry';

/** Which global slots one startTracing call filled: only these are emptied again by its shutdown. @internal */
export interface GlobalRegistrations {
  tracerProvider: boolean;
  meterProvider: boolean;
  propagator: boolean;
  contextManager: boolean;
}

/**
 * Fills each global slot that is still empty: tracer provider, meter provider, propagator (when
 * one is configured) and an AsyncLocalStorage context manager. Slots the application filled are
 * left alone (a warning says so for the providers). Nothing is left enabled that is not registered.
 * @internal
 */
export function registerGlobals(tracerProvider: TracerProvider, meterProvider: MeterProvider | undefined, propagator: TextMapPropagator | undefined): GlobalRegistrations {
  const made: GlobalRegistrations = { tracerProvider: false, meterProvider: false, propagator: false, contextManager: false };
  if (meterProvider) {
    made.meterProvider = metrics.setGlobalMeterProvider(meterProvider);
    if (!made.meterProvider) {
      diag.warn('kafkajs-tracing: a meter provider is already registered; pass tracing.meterProvider as meterProvider to the middleware to use this one.');
    }
  }
  if (tracerProviderRegistered()) {
    diag.warn('kafkajs-tracing: a tracer provider is already registered; startTracing did not replace it. Pass tracing.provider as tracerProvider to use this one.');
  } else {
    made.tracerProvider = trace.setGlobalTracerProvider(tracerProvider);
  }
  if (!contextManagerRegistered()) {
    const manager = new AsyncLocalStorageContextManager().enable();
    made.contextManager = context.setGlobalContextManager(manager);
    if (!made.contextManager) manager.disable();
  }
  if (propagator && !propagatorRegistered()) made.propagator = propagation.setGlobalPropagator(propagator);
  return made;
}

/** Empties exactly the slots `made` says were filled. @internal */
export function unregisterGlobals(made: GlobalRegistrations): void {
  if (made.tracerProvider) trace.disable();
  if (made.meterProvider) metrics.disable();
  if (made.propagator) propagation.disable();
  if (made.contextManager) context.disable();
  made.tracerProvider = made.meterProvider = made.propagator = made.contextManager = false;
}
