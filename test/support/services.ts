import { startTracing, type Tracing } from '../../src/index';
import { JAEGER_ENDPOINT } from './env';

/**
 * Several "services" in one test process, each its own tracer provider and service.name, all exporting
 * to the real Jaeger. The first is registered globally so the W3C propagator and the async context
 * manager are in place; the others are passed to the middleware as `tracerProvider`.
 */
export function startServices<N extends string>(...names: N[]): Record<N, Tracing> & { shutdownAll(): Promise<void> } {
  const out = {} as Record<N, Tracing>;
  names.forEach((name, i) => {
    out[name] = startTracing({
      serviceName: name,
      jaeger: { endpoint: JAEGER_ENDPOINT },
      register: i === 0,
      batch: { scheduledDelayMillis: 100 },
    });
  });
  return Object.assign(out, {
    async shutdownAll() {
      await Promise.all(names.map((n) => out[n].shutdown()));
    },
  });
}

/** Flushes every service's pending spans to Jaeger. */
export async function flushAll(services: Record<string, Tracing>): Promise<void> {
  await Promise.all(Object.values(services).map((t) => (typeof t === 'object' && 'forceFlush' in t ? t.forceFlush() : undefined)));
}

/** The trace id in a traceparent header value. */
export function traceIdOf(traceparent: unknown): string {
  const value = Buffer.isBuffer(traceparent) ? traceparent.toString() : String(traceparent);
  const id = value.split('-')[1];
  if (!id || !/^[0-9a-f]{32}$/.test(id)) throw new Error(`not a traceparent: ${value}`);
  return id;
}
