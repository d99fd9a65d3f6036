import { ROOT_CONTEXT, SpanKind, trace, type Attributes, type Context, type Link, type Span } from '@opentelemetry/api';
import type { KafkaMessage } from 'kafkajs';
import { ATTR, MESSAGING_SYSTEM_KAFKA, OPERATION_TYPE, OWN } from '../semconv';
import { checkLatency } from '../metrics/latency-guard';
import { withOrigin } from '../propagation/pipeline-origin';
import { observePipelineHop } from './pipeline-hop';
import type { ConsumerInstrumentationOptions } from '../options';
import { addMessageAttributes } from '../spans/message-attributes';
import { type ClientTracing } from '../client-tracing';
import { callHook } from '../user-hook';
import type { Upstream } from '../propagation/extract-headers';
import { reportSwallowed } from '../diag/report-once';

/** @internal */
export function isTrusted(options: ConsumerInstrumentationOptions, topic: string): boolean {
  const trust = options.trustUpstream;
  if (trust === undefined || trust === true) return true;
  if (trust === false) return false;
  try {
    return trust(topic) !== false;
  } catch (err) {
    reportSwallowed('hook', err);
    return false; // a failing policy must not widen trust
  }
}

/** Attributes every `process` span of a consumer carries. @internal */
export function processAttributes(options: ConsumerInstrumentationOptions, topic: string, partition: number): Attributes {
  const attributes: Attributes = {
    [ATTR.MESSAGING_SYSTEM]: MESSAGING_SYSTEM_KAFKA,
    [ATTR.OPERATION_NAME]: 'process',
    [ATTR.OPERATION_TYPE]: OPERATION_TYPE.PROCESS,
    [ATTR.DESTINATION_NAME]: topic,
    [ATTR.DESTINATION_PARTITION_ID]: String(partition),
  };
  if (options.groupId !== undefined) attributes[ATTR.CONSUMER_GROUP_NAME] = options.groupId;
  if (options.clientId !== undefined) attributes[ATTR.CLIENT_ID] = options.clientId;
  return attributes;
}

/**
 * Starts the CONSUMER `process <topic>` span of one message. Trusted upstream: child of the producer's
 * span (and linked to it only with `linkToParent`). Untrusted: a new root with only the link, and
 * no upstream baggage. Returns the span and the context the handler runs in.
 * @internal
 */
export function startProcessSpan(
  tracing: ClientTracing,
  options: ConsumerInstrumentationOptions,
  topic: string,
  partition: number,
  message: KafkaMessage,
  upstream: Upstream,
  extra?: { startTime?: number; links?: Link[] },
): { span: Span; context: Context } {
  const attributes = processAttributes(options, topic, partition);
  addMessageAttributes(attributes, message.key, message.value, options.captureMessageKey !== false);
  const offset = Number(message.offset);
  if (Number.isFinite(offset)) attributes[ATTR.KAFKA_OFFSET] = offset;
  const now = extra?.startTime ?? Date.now();
  const timestamp = Number(message.timestamp);
  const queued = Number.isFinite(timestamp) && timestamp > 0 ? checkLatency(timestamp, now) : undefined;
  if (typeof queued === 'number') attributes[OWN.QUEUE_TIME_MS] = attributes[ATTR.KAFKA_END_TO_END_LATENCY_MS] = queued;
  const trusted = isTrusted(options, topic);
  const origin = observePipelineHop(tracing, options.groupId, topic, upstream, trusted, now, attributes);
  const links: Link[] = upstream.spanContext && (!trusted || options.linkToParent) ? [{ context: upstream.spanContext }] : [];
  if (extra?.links) links.push(...extra.links);
  const parent = trusted ? upstream.context : ROOT_CONTEXT;
  const span = tracing.tracer.startSpan(
    `process ${topic}`,
    { kind: SpanKind.CONSUMER, attributes, links, startTime: extra?.startTime },
    parent,
  );
  callHook(options.consumerHook, span, { topic, partition, message });
  const ctx = trace.setSpan(parent, span);
  return { span, context: origin ? withOrigin(ctx, origin) : ctx };
}
