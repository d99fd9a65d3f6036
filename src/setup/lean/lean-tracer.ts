import {
  context as api,
  INVALID_SPAN_CONTEXT,
  SamplingDecision,
  SpanKind,
  trace,
  TraceFlags,
  type Context,
  type Span,
  type Attributes,
  type Link,
  type SpanContext,
  type SpanOptions,
  type TimeInput,
} from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import type { Sampler, SamplingResult } from '@opentelemetry/sdk-trace';
import type { PooledIdGenerator } from './pooled-ids';
import { LeanSpan, type LeanSpanShared } from './lean-span';
import { isParentDecided, rootDecisionOf, type RootDecision } from './parent-decides';
import { CheckedSpanContext, isValidSpanContext } from '../../propagation/traceparent';
import { START_LAZILY, type LazyTracer } from '../../spans/lazy-start';

const SAMPLED: SamplingResult = { decision: SamplingDecision.RECORD_AND_SAMPLED };
const NOT_SAMPLED: SamplingResult = { decision: SamplingDecision.NOT_RECORD };

/** What `ParentBasedSampler` with its default delegates answers under a valid parent. */
function fromParent(parent: SpanContext): SamplingResult {
  return (parent.traceFlags & TraceFlags.SAMPLED) !== 0 ? SAMPLED : NOT_SAMPLED;
}

/** Trace Context Level 2's flag: the trace id's right-most 7 bytes are random. */
const RANDOM_TRACE_ID = 0x02;

/** The span context of the span active in `ctx`, when valid. */
function validParentOf(ctx: Context): SpanContext | undefined {
  const parent = trace.getSpan(ctx)?.spanContext();
  return parent && isValidSpanContext(parent) ? parent : undefined;
}

/**
 * The tracer of `startTracing`'s provider on the lean path: the SDK tracer's decisions (suppressed
 * tracing, root option, parent's trace id and tracestate, the sampler with the span's name, kind,
 * attributes and links, a non-recording span when the sampler says so) with {@link LeanSpan}s for
 * the spans that record. A span continuing a parent's trace keeps the parent's random trace-id flag
 * (W3C Level 2), which the SDK's tracer needs `keepRandomTraceFlag` for.
 * @internal
 */
export class LeanTracer implements LazyTracer {
  private readonly parentDecides: boolean;
  private readonly rootDecision: RootDecision | undefined;

  constructor(
    private readonly shared: LeanSpanShared,
    private readonly sampler: Sampler,
    private readonly ids: PooledIdGenerator,
  ) {
    this.parentDecides = isParentDecided(sampler);
    this.rootDecision = rootDecisionOf(sampler);
  }

  startSpan(name: string, options: SpanOptions = {}, ctx: Context = api.active()): Span {
    if (options.root) ctx = trace.deleteSpan(ctx);
    if (isTracingSuppressed(ctx)) return trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
    return this.start(name, options.kind ?? SpanKind.INTERNAL, ctx, validParentOf(ctx), options.attributes ?? {}, options.links ?? [], options.startTime, undefined, false);
  }

  /**
   * `startSpan` with the attributes made only for a span the sampler must see them for, or that
   * records: with startTracing's parent-based sampler a sampled-out parent decides at once, and so
   * does a root sampler that reads the trace id alone (ratio, always on or off). See `START_LAZILY`.
   */
  [START_LAZILY]<A>(name: string, kind: SpanKind, ctx: Context, attributes: (arg: A) => Attributes, arg: A, links: Link[] | undefined, startTime: TimeInput | undefined): Span {
    if (isTracingSuppressed(ctx)) return trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
    const parent = validParentOf(ctx);
    if (this.parentDecides) {
      if (parent) {
        if ((parent.traceFlags & TraceFlags.SAMPLED) === 0) return this.sampledOut(parent.traceId, parent);
      } else if (this.rootDecision !== undefined) {
        const traceId = this.ids.generateTraceId();
        // The ratio rule on the id's bytes, which the generator folded as it cut the id.
        if (this.ids.lastTraceIdFold >= this.rootDecision) return this.sampledOut(traceId, undefined);
        return this.start(name, kind, ctx, undefined, attributes(arg), links ?? [], startTime, traceId, true);
      }
    }
    return this.start(name, kind, ctx, parent, attributes(arg), links ?? [], startTime, undefined, true);
  }

  /** The non-recording span of a sampled-out decision: ids and flags travel on, nothing is recorded or timed. */
  private sampledOut(traceId: string, parent: SpanContext | undefined): Span {
    const flags = parent && (parent.traceFlags & RANDOM_TRACE_ID) !== 0 ? RANDOM_TRACE_ID : TraceFlags.NONE;
    return trace.wrapSpanContext(new CheckedSpanContext(traceId, this.ids.generateSpanId(), flags, parent?.traceState));
  }

  /**
   * A span under a context its caller found not suppressed, with `validParent` the valid span context
   * active in it, if any (both callers have already read it). `rootTraceId`: a root span's trace id,
   * already sampled by the root decision. `ownAttributes`: the attributes object was built for this
   * span alone (the lazy start's), so the span may keep it.
   */
  private start(
    name: string,
    kind: SpanKind,
    ctx: Context,
    validParent: SpanContext | undefined,
    attributes: Attributes,
    links: Link[],
    startTime: TimeInput | undefined,
    rootTraceId: string | undefined,
    ownAttributes: boolean,
  ): Span {
    const spanId = this.ids.generateSpanId();
    const traceId = validParent ? validParent.traceId : (rootTraceId ?? this.ids.generateTraceId());
    // A parent-based sampler of startTracing's would answer with the parent's flag, and its root
    // sampler (ratio, always on or off) with a bare decision on the trace id: both taken directly.
    let result: SamplingResult;
    if (validParent) result = this.parentDecides ? fromParent(validParent) : this.sampler.shouldSample(ctx, traceId, name, kind, attributes, links);
    else if (rootTraceId !== undefined) result = SAMPLED;
    else if (this.parentDecides && this.rootDecision !== undefined) result = this.ids.lastTraceIdFold < this.rootDecision ? SAMPLED : NOT_SAMPLED;
    else result = this.sampler.shouldSample(ctx, traceId, name, kind, attributes, links);
    let traceFlags = result.decision === SamplingDecision.RECORD_AND_SAMPLED ? TraceFlags.SAMPLED : TraceFlags.NONE;
    if (validParent && (validParent.traceFlags & RANDOM_TRACE_ID) !== 0) traceFlags |= RANDOM_TRACE_ID;
    // The ids are the pooled generator's (valid hex, never all zero) or a valid parent's: known valid.
    const spanContext = new CheckedSpanContext(traceId, spanId, traceFlags, result.traceState ?? validParent?.traceState);
    if (result.decision === SamplingDecision.NOT_RECORD) return trace.wrapSpanContext(spanContext);
    const span = new LeanSpan(this.shared, spanContext, name, kind, validParent, startTime);
    for (const link of links) span.addLink(link);
    if (ownAttributes) span.adoptAttributes(attributes);
    else span.setAttributes(attributes);
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
