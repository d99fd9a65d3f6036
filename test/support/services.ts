import { startTracing, type Tracing } from '../../src/setup/index';
import { JAEGER_ENDPOINT } from './env';

/** Several tracing "services" in one test process. */
export interface Services<N extends string> {
  tracing: Record<N, Tracing>;
  /** The tracer provider of one service, to pass as `tracerProvider`. */
  provider(name: N): Tracing['provider'];
  /** Flushes every service's pending spans to Jaeger. */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * Several "services" in one test process, each its own tracer provider and service.name, all exporting
 * to the real Jaeger. The first is registered globally so the W3C propagator and the async context
 * manager are in place; the others are passed to the middleware as `tracerProvider`.
 */
export function startServices<N extends string>(...names: N[]): Services<N> {
  const tracing = {} as Record<N, Tracing>;
  names.forEach((name, i) => {
    tracing[name] = startTracing({
      serviceName: name,
      jaeger: { endpoint: JAEGER_ENDPOINT },
      register: i === 0,
      batch: { scheduledDelayMillis: 100 },
    });
  });
  const all = () => names.map((n) => tracing[n]);
  return {
    tracing,
    provider: (name) => tracing[name].provider,
    flush: async () => void (await Promise.all(all().map((t) => t.forceFlush()))),
    shutdown: async () => void (await Promise.all(all().map((t) => t.shutdown()))),
  };
}

/** The trace id in a traceparent header value. */
export function traceIdOf(traceparent: unknown): string {
  const value = Buffer.isBuffer(traceparent) ? traceparent.toString() : String(traceparent);
  const id = value.split('-')[1];
  if (!id || !/^[0-9a-f]{32}$/.test(id)) throw new Error(`not a traceparent: ${value}`);
  return id;
}
