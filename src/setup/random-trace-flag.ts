import { context, trace, type Context, type Span, type SpanOptions, type Tracer } from '@opentelemetry/api';

/** Trace Context Level 2's flag: the trace id's right-most 7 bytes are random. */
const RANDOM_TRACE_ID = 0x02;

const patched = new WeakSet<Tracer>();

/** Sets the random bit on a span that continues a parent's random trace id. */
function inheritRandomFlag(span: Span, parentContext: Context, options: SpanOptions | undefined): void {
  if (options?.root) return;
  const parent = trace.getSpanContext(parentContext);
  if (!parent || (parent.traceFlags & RANDOM_TRACE_ID) === 0) return;
  // The SDK hands out the span's own span context object, recording or not: the bit set there is
  // what propagators and exporters read.
  const own = span.spanContext();
  if (own.traceId === parent.traceId) own.traceFlags |= RANDOM_TRACE_ID;
}

/**
 * Makes `tracer` keep the random trace-id flag of a continued trace. The SDK's tracer derives a
 * span's flags from the sampling decision alone, so a parent's `02` came back as `01` (or `00`); a
 * span that continues a parent's trace id inherits its randomness, and W3C Level 2 asks for the flag
 * to travel on. A span processor cannot do it: sampled-out spans never reach one. The SDK's
 * `startActiveSpan` goes through `startSpan`, so both are covered. Returns the same tracer.
 * @internal
 */
export function keepRandomTraceFlag<T extends Tracer>(tracer: T): T {
  if (patched.has(tracer)) return tracer;
  patched.add(tracer);
  const start = tracer.startSpan.bind(tracer);
  tracer.startSpan = (name: string, options?: SpanOptions, ctx: Context = context.active()): Span => {
    const span = start(name, options, ctx);
    try {
      inheritRandomFlag(span, ctx, options);
    } catch {
      // A span context that cannot be changed keeps the flags the SDK gave it.
    }
    return span;
  };
  return tracer;
}
