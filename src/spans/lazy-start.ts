import type { Attributes, Context, Link, Span, SpanKind, TimeInput, Tracer } from '@opentelemetry/api';

/**
 * The key of a tracer's own method that starts a span building its attributes only when they are
 * needed: startTracing's lean tracer decides most spans (a sampled-out parent, a ratio root sampler)
 * before any attribute exists, so a message nobody samples costs no attribute object. A symbol
 * shared by every copy of this package (versioned: a copy with another signature uses another key);
 * no name in the tracer's public API.
 * @internal
 */
export const START_LAZILY = Symbol.for('kafkajs-tracing.startSpanLazily.v1');

/** The arguments of a lazily started span, the attributes as a function of `arg` (no closure per span). @internal */
export type StartLazily = <A>(
  name: string,
  kind: SpanKind,
  ctx: Context,
  attributes: (arg: A) => Attributes,
  arg: A,
  links: Link[] | undefined,
  startTime: TimeInput | undefined,
) => Span;

/** A tracer that starts spans lazily. @internal */
export interface LazyTracer extends Tracer {
  [START_LAZILY]: StartLazily;
}

/** `tracer` when it starts spans lazily. @internal */
export function asLazyTracer(tracer: Tracer): LazyTracer | undefined {
  return typeof (tracer as Partial<LazyTracer>)[START_LAZILY] === 'function' ? (tracer as LazyTracer) : undefined;
}
