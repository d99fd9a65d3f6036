import {
  context as api,
  INVALID_SPAN_CONTEXT,
  SamplingDecision,
  SpanKind,
  trace,
  TraceFlags,
  type Context,
  type Span,
  type SpanContext,
  type SpanOptions,
  type Tracer,
} from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import type { IdGenerator, Sampler, SamplingResult } from '@opentelemetry/sdk-trace';
import { LeanSpan, type LeanSpanShared } from './lean-span';
import { isParentDecided } from './parent-decides';

const SAMPLED: SamplingResult = { decision: SamplingDecision.RECORD_AND_SAMPLED };
const NOT_SAMPLED: SamplingResult = { decision: SamplingDecision.NOT_RECORD };

/** What `ParentBasedSampler` with its default delegates answers under a valid parent. */
function fromParent(parent: SpanContext): SamplingResult {
  return (parent.traceFlags & TraceFlags.SAMPLED) !== 0 ? SAMPLED : NOT_SAMPLED;
}

/** Trace Context Level 2's flag: the trace id's right-most 7 bytes are random. */
const RANDOM_TRACE_ID = 0x02;

/**
 * The tracer of `startTracing`'s provider on the lean path: the SDK tracer's decisions (suppressed
 * tracing, root option, parent's trace id and tracestate, the sampler with the span's name, kind,
 * attributes and links, a non-recording span when the sampler says so) with {@link LeanSpan}s for
 * the spans that record. A span continuing a parent's trace keeps the parent's random trace-id flag
 * (W3C Level 2), which the SDK's tracer needs `keepRandomTraceFlag` for.
 * @internal
 */
export class LeanTracer implements Tracer {
  private readonly parentDecides: boolean;

  constructor(
    private readonly shared: LeanSpanShared,
    private readonly sampler: Sampler,
    private readonly ids: IdGenerator,
  ) {
    this.parentDecides = isParentDecided(sampler);
  }

  startSpan(name: string, options: SpanOptions = {}, ctx: Context = api.active()): Span {
    if (options.root) ctx = trace.deleteSpan(ctx);
    if (isTracingSuppressed(ctx)) return trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
    const parent = trace.getSpan(ctx)?.spanContext();
    const validParent = parent && trace.isSpanContextValid(parent) ? parent : undefined;
    const spanId = this.ids.generateSpanId();
    const traceId = validParent ? validParent.traceId : this.ids.generateTraceId();
    const kind = options.kind ?? SpanKind.INTERNAL;
    const attributes = options.attributes ?? {};
    const links = options.links ?? [];
    // A parent-based sampler of startTracing's would answer with the parent's flag: taken directly.
    const result = validParent && this.parentDecides ? fromParent(validParent) : this.sampler.shouldSample(ctx, traceId, name, kind, attributes, links);
    let traceFlags = result.decision === SamplingDecision.RECORD_AND_SAMPLED ? TraceFlags.SAMPLED : TraceFlags.NONE;
    if (validParent && (validParent.traceFlags & RANDOM_TRACE_ID) !== 0) traceFlags |= RANDOM_TRACE_ID;
    const spanContext: SpanContext = { traceId, spanId, traceFlags, traceState: result.traceState ?? validParent?.traceState };
    // Sampled out: the context travels on (ids and flags), nothing is recorded or timed.
    if (result.decision === SamplingDecision.NOT_RECORD) return trace.wrapSpanContext(spanContext);
    const span = new LeanSpan(this.shared, spanContext, name, kind, validParent, options.startTime);
    for (const link of links) span.addLink(link);
    span.setAttributes(attributes);
    if (result.attributes) span.setAttributes(result.attributes);
    this.shared.processor.onStart(span, ctx);
    return span;
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, ctx: Context, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, a?: SpanOptions | F, b?: Context | F, c?: F): ReturnType<F> | undefined {
    let options: SpanOptions | undefined;
    let ctx: Context | undefined;
    let fn: F;
    if (typeof a === 'function') fn = a;
    else if (typeof b === 'function') {
      options = a;
      fn = b;
    } else if (typeof c === 'function') {
      options = a;
      ctx = b;
      fn = c;
    } else return undefined;
    const parent = ctx ?? api.active();
    const span = this.startSpan(name, options, parent);
    return api.with(trace.setSpan(parent, span), fn as (s: Span) => ReturnType<F>, undefined, span);
  }
}
