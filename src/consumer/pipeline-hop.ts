import type { Attributes } from '@opentelemetry/api';
import { checkLatency } from '../metrics/latency-guard';
import type { Upstream } from '../propagation/extract-headers';
import { DeferredOrigin, upstreamOrigin, type PipelineOrigin } from '../propagation/pipeline-origin';
import { OWN } from '../semconv';
import type { ClientTracing } from '../client-tracing';

/**
 * One hop of a pipeline seen from its consumer: reads the origin the message carries (trusted
 * upstreams only: an untrusted one is dropped like its baggage, and the handler's produces start a
 * new pipeline) or, when a traced message carries none, takes the record itself as the first hop
 * (its timestamp and topic: producers write no entry there), puts entry, hop and time since origin into `attributes` (given only when the span
 * records), records the pipeline latency, and returns the origin for the handler's produces to continue
 * (deferred when nothing here records it).
 * @internal
 */
export function observePipelineHop(
  tracing: ClientTracing,
  groupId: string | undefined,
  topic: string,
  upstream: Upstream,
  trusted: boolean,
  nowMs: number,
  attributes: Attributes | undefined,
  timestamp: string | undefined,
  measuring: boolean,
): PipelineOrigin | DeferredOrigin | undefined {
  if (!trusted || !upstream.spanContext) return undefined;
  // Nothing records the hop here (a sampled-out span, no metrics): read only if a produce asks for it.
  if (!attributes && !measuring) return new DeferredOrigin(topic, timestamp, upstream.spanContext);
  const origin = upstreamOrigin(upstream.spanContext, topic, timestamp);
  if (origin === 'malformed') {
    tracing.metrics.recordPipeline(topic, groupId, undefined, 'malformed');
    return undefined;
  }
  if (origin === undefined) return undefined;
  const latency = checkLatency(origin.originMs, nowMs);
  if (attributes) {
    attributes[OWN.PIPELINE_ENTRY] = origin.entry;
    attributes[OWN.PIPELINE_HOP] = origin.hop;
    if (typeof latency === 'number') attributes[OWN.PIPELINE_LATENCY_MS] = latency;
  }
  tracing.metrics.recordPipeline(topic, groupId, origin, latency);
  return origin;
}
