import type { JaegerTrace } from './types';

/**
 * Where {@link waitForTrace} reads a trace from: Jaeger's query API ({@link JaegerQuery}) or spans
 * captured in memory ({@link SpanCapture}). Anything with `getTrace` will do.
 */
export interface TraceSource {
  /** The trace in Jaeger's shape, or undefined while no span of it is known. */
  getTrace(traceId: string): Promise<JaegerTrace | undefined>;
  /** Jaeger's query URL when the source is a Jaeger, so a timeout error can link the trace. */
  readonly baseUrl?: string;
}
