import type { Tracer, TracerOptions } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import { TracerProvider, type Sampler, type SpanLimits, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { PooledIdGenerator } from './pooled-ids';
import { SpanClock } from './clock';
import type { ResolvedSpanLimits } from './lean-span';
import { LeanTracer } from './lean-tracer';

/** The SDK's defaults for every limit left unset (its `TracerProvider` fills in the same). */
export function resolveSpanLimits(limits: SpanLimits | undefined): ResolvedSpanLimits {
  return {
    attributeCountLimit: limits?.attributeCountLimit ?? 128,
    attributeValueLengthLimit: limits?.attributeValueLengthLimit ?? Infinity,
    eventCountLimit: limits?.eventCountLimit ?? 128,
    linkCountLimit: limits?.linkCountLimit ?? 128,
    attributePerEventCountLimit: limits?.attributePerEventCountLimit ?? 128,
    attributePerLinkCountLimit: limits?.attributePerLinkCountLimit ?? 128,
  };
}

/** Hands a span to every processor, in order, as the SDK's `MultiSpanProcessor` does. */
function fanOut(processors: SpanProcessor[]): SpanProcessor {
  if (processors.length === 1) return processors[0] as SpanProcessor;
  return {
    onStart: (span, ctx) => {
      for (const p of processors) p.onStart(span, ctx);
    },
    onEnd: (span) => {
      for (const p of processors) p.onEnd(span);
    },
    forceFlush: () => Promise.all(processors.map((p) => p.forceFlush())).then(() => undefined),
    shutdown: () => Promise.all(processors.map((p) => p.shutdown())).then(() => undefined),
  };
}

/** What {@link LeanTracerProvider} is made of: the SDK provider's own options, all given. @internal */
export interface LeanProviderConfig {
  resource: Resource;
  sampler: Sampler;
  spanLimits?: SpanLimits;
  spanProcessors: SpanProcessor[];
}

/**
 * `startTracing`'s tracer provider on the lean path: the SDK's `TracerProvider` (so `forceFlush`,
 * `shutdown` and its type are the SDK's, and a `Tracing.provider` stays one) whose tracers make
 * {@link LeanSpan}s. It is used only when every span processor is `startTracing`'s own, which take
 * any `ReadableSpan`; one tracer per name, version and schema URL, as the SDK keeps them.
 * @internal
 */
export class LeanTracerProvider extends TracerProvider {
  private readonly leanTracers = new Map<string, LeanTracer>();
  private readonly config: LeanProviderConfig;
  private readonly limits: ResolvedSpanLimits;
  private readonly processor: SpanProcessor;
  private readonly ids = new PooledIdGenerator();
  private readonly clock = new SpanClock();

  constructor(config: LeanProviderConfig) {
    super(config);
    this.config = config;
    this.limits = resolveSpanLimits(config.spanLimits);
    this.processor = fanOut(config.spanProcessors);
  }

  override getTracer(name: string, version?: string, options?: TracerOptions): Tracer {
    const key = `${name}@${version ?? ''}:${options?.schemaUrl ?? ''}`;
    let tracer = this.leanTracers.get(key);
    if (!tracer) {
      const scope = { name, version, schemaUrl: options?.schemaUrl };
      tracer = new LeanTracer({ resource: this.config.resource, scope, limits: this.limits, processor: this.processor, clock: this.clock }, this.config.sampler, this.ids);
      this.leanTracers.set(key, tracer);
    }
    return tracer;
  }
}
