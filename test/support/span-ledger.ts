import { SpanKind, SpanStatusCode, type Context } from '@opentelemetry/api';
import { BasicTracerProvider, type ReadableSpan, type Span, type SpanProcessor } from '@opentelemetry/sdk-trace-base';

/** What the cluster tests need of one ended span: small, so a run of 100k spans stays cheap. */
export interface SpanRecord {
  name: string;
  kind: SpanKind;
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  error: boolean;
  /** An `exception` event was recorded on the span. */
  exception: boolean;
}

/**
 * A span processor that counts the spans started and ended (what is still open at the end is a span
 * left open) and keeps a compact record of each ended one: an in-memory exporter without the export.
 */
export class SpanLedger implements SpanProcessor {
  readonly ended: SpanRecord[] = [];
  private started = 0;

  /** Spans started and not ended. */
  get open(): number {
    return this.started - this.ended.length;
  }

  onStart(_span: Span, _ctx: Context): void {
    this.started++;
  }

  onEnd(span: ReadableSpan): void {
    const ctx = span.spanContext();
    this.ended.push({
      name: span.name,
      kind: span.kind,
      traceId: ctx.traceId,
      spanId: ctx.spanId,
      parentSpanId: span.parentSpanContext?.spanId,
      error: span.status.code === SpanStatusCode.ERROR,
      exception: span.events.some((e) => e.name === 'exception'),
    });
  }

  /** Ended CONSUMER spans (the middleware's `process` spans), by parent span id. */
  consumerByParent(): Map<string, SpanRecord[]> {
    const out = new Map<string, SpanRecord[]>();
    for (const r of this.ended) {
      if (r.kind !== SpanKind.CONSUMER || !r.parentSpanId) continue;
      const list = out.get(r.parentSpanId) ?? [];
      list.push(r);
      out.set(r.parentSpanId, list);
    }
    return out;
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** A tracer provider whose spans all go to a fresh ledger (sampled always, nothing exported). */
export function ledgerProvider(): { provider: BasicTracerProvider; ledger: SpanLedger } {
  const ledger = new SpanLedger();
  return { provider: new BasicTracerProvider({ spanProcessors: [ledger] }), ledger };
}

/** The span id a message's `traceparent` header names: its PRODUCER span. */
export function parentIdOf(traceparent: unknown): { traceId: string; spanId: string } {
  const value = Buffer.isBuffer(traceparent) ? traceparent.toString() : String(traceparent);
  const [, traceId, spanId] = value.split('-');
  if (!traceId || !spanId) throw new Error(`not a traceparent: ${value}`);
  return { traceId, spanId };
}
