import { ROOT_CONTEXT, SpanKind, type Attributes, type Context, type Link, type Span } from '@opentelemetry/api';
import type { KafkaMessage } from 'kafkajs';
import { ATTR, MESSAGING_SYSTEM_KAFKA, OPERATION_TYPE, OWN } from '../semconv';
import { checkLatency } from '../metrics/latency-guard';
import { handlerContext } from '../propagation/pipeline-origin';
import { observePipelineHop } from './pipeline-hop';
import type { ConsumerInstrumentationOptions } from '../options';
import { addMessageAttributes } from '../spans/message-attributes';
import { type ClientTracing } from '../client-tracing';
import { callHook } from '../user-hook';
import type { Upstream } from '../propagation/extract-headers';
import { reportSwallowed } from '../diag/report-once';
import { spanName } from '../spans/span-names';

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

/**
 * Attributes every `process` span of a consumer carries from its start: those the messaging
 * conventions ask for at creation because samplers may decide on them. @internal
 */
export function processAttributes(options: ConsumerInstrumentationOptions, topic: string, partition: number): Attributes {
  const attributes: Attributes = {
    [ATTR.MESSAGING_SYSTEM]: MESSAGING_SYSTEM_KAFKA,
    [ATTR.OPERATION_NAME]: 'process',
    [ATTR.OPERATION_TYPE]: OPERATION_TYPE.PROCESS,
    [ATTR.DESTINATION_NAME]: topic,
    [ATTR.DESTINATION_PARTITION_ID]: String(partition),
  };
  if (options.groupId !== undefined) attributes[ATTR.CONSUMER_GROUP_NAME] = options.groupId;
  return attributes;
}

interface ProcessSpanStart {
  options: ConsumerInstrumentationOptions;
  topic: string;
  partition: number;
}

const attributesOfStart = (start: ProcessSpanStart): Attributes => processAttributes(start.options, start.topic, start.partition);

/**
 * Attributes of a `process` span that no sampler needs: the client id, the message's key, size and
 * offset, and how long it queued. Built only for a span that records.
 */
function messageDetails(options: ConsumerInstrumentationOptions, message: KafkaMessage, now: number): Attributes {
  const details: Attributes = {};
  if (options.clientId !== undefined) details[ATTR.CLIENT_ID] = options.clientId;
  addMessageAttributes(details, message.key, message.value, options.captureMessageKey !== false);
  const offset = Number(message.offset);
  if (Number.isFinite(offset)) details[ATTR.KAFKA_OFFSET] = offset;
  const timestamp = Number(message.timestamp);
  const queued = Number.isFinite(timestamp) && timestamp > 0 ? checkLatency(timestamp, now) : undefined;
  if (typeof queued === 'number') details[OWN.QUEUE_TIME_MS] = details[ATTR.KAFKA_END_TO_END_LATENCY_MS] = queued;
  return details;
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
  /** Whether the metrics record: the caller's answer when it already asked (one lookup of the global meter provider less). */
  measuring: boolean = tracing.metrics.isEnabled(),
): { span: Span; context: Context } {
  const trusted = isTrusted(options, topic);
  let links: Link[] | undefined = upstream.spanContext && (!trusted || options.linkToParent) ? [{ context: upstream.spanContext }] : undefined;
  if (extra?.links) links = links ? links.concat(extra.links) : extra.links;
  const parent = trusted ? upstream.context : ROOT_CONTEXT;
  // The creation attributes are built only if the tracer needs them: a sampled-out message costs none.
  const start: ProcessSpanStart = { options, topic, partition };
  const span = tracing.startSpan(spanName('process', topic), SpanKind.CONSUMER, parent, attributesOfStart, start, links, extra?.startTime);
  const recording = span.isRecording();
  // The clock is read only when something uses the time: a recorded span, or the metrics.
  const now = extra?.startTime ?? (recording || measuring ? Date.now() : 0);
  const details = recording ? messageDetails(options, message, now) : undefined;
  // The pipeline hop is observed whether or not the span records: its latency metric does not sample.
  const origin = observePipelineHop(tracing, options.groupId, topic, upstream, trusted, now, details, message.timestamp, measuring);
  if (details) span.setAttributes(details);
  callHook(options.consumerHook, span, { topic, partition, message });
  return { span, context: handlerContext(parent, span, origin) };
}
