import type { TraceSource } from './trace-source';
import { toTraceView } from './trace-view';
import type { TraceView } from './types';
import { traceUrl } from './render-trace';

/** Options of {@link waitForTrace}. */
export interface WaitOptions {
  /** Spans the trace must hold before it is returned. Default 1. */
  minSpans?: number;
  /** Give up after this long. Default 15000 ms. */
  timeoutMs?: number;
  /** Time between polls. Default 250 ms. */
  intervalMs?: number;
  /** An extra condition the trace must meet. */
  predicate?: (trace: TraceView) => boolean;
}

/**
 * Polls a trace source (a {@link JaegerQuery}, or a {@link SpanCapture} of spans kept in memory) until
 * the trace holds at least `minSpans` spans (spans of one trace arrive in several export batches, from
 * several services) and meets `predicate`. On timeout it throws an error that says what it did see.
 */
export async function waitForTrace(query: TraceSource, traceId: string, options: WaitOptions = {}): Promise<TraceView> {
  const minSpans = options.minSpans ?? 1;
  const deadline = Date.now() + (options.timeoutMs ?? 15000);
  let last: TraceView | undefined;
  let lastError: unknown;
  for (;;) {
    try {
      const raw = await query.getTrace(traceId);
      if (raw) {
        last = toTraceView(raw);
        if (last.spans.length >= minSpans && (!options.predicate || options.predicate(last))) return last;
      }
      lastError = undefined;
    } catch (err) {
      lastError = err; // Jaeger may still be starting; keep polling until the deadline
    }
    if (Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 250));
  }
  const seen = last
    ? `${last.spans.length} span(s): ${last.spans.map((s) => `${s.service}/${s.name}`).join(', ')}`
    : 'no such trace';
  const why = lastError instanceof Error ? `; last error: ${lastError.message}` : '';
  throw new Error(
    `trace ${traceId} did not reach ${minSpans} span(s)${options.predicate ? ' and the predicate' : ''} within ${options.timeoutMs ?? 15000} ms; saw ${seen}${why}${query.baseUrl ? ` (${traceUrl(query.baseUrl, traceId)})` : ''}`,
  );
}
