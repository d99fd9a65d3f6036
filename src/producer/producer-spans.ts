import { SpanKind, type Attributes, type Context, type Link, type Span } from '@opentelemetry/api';
import type { Message, RecordMetadata } from 'kafkajs';
import { ATTR, MESSAGING_SYSTEM_KAFKA, OPERATION_TYPE } from '../semconv';
import type { ProducerInstrumentationOptions } from '../options';
import { addMessageAttributes } from '../spans/message-attributes';
import { type ClientTracing } from '../client-tracing';
import { callHook } from '../user-hook';
import { spanName } from '../spans/span-names';
import { injectIntoMessage, staleSpanContext } from '../propagation/inject-headers';
import { injectionContext, injectionContextWithoutOrigin } from '../propagation/pipeline-origin';

/** What the creation attributes of a producer span with a partition chosen by the application are made from. */
interface ProducerSpanStart {
  operation: 'send' | 'create';
  topic: string | undefined;
  partition: number;
}

/** The attributes the messaging conventions ask for at creation, because samplers may decide on them. */
function creationAttributes(operation: 'send' | 'create', topic: string | undefined): Attributes {
  const attributes: Attributes = {
    [ATTR.MESSAGING_SYSTEM]: MESSAGING_SYSTEM_KAFKA,
    [ATTR.OPERATION_NAME]: operation,
    [ATTR.OPERATION_TYPE]: operation === 'send' ? OPERATION_TYPE.SEND : OPERATION_TYPE.CREATE,
  };
  if (topic !== undefined) attributes[ATTR.DESTINATION_NAME] = topic;
  return attributes;
}

// One builder per operation, taking the topic alone: the common start (no partition chosen) needs no
// object to carry its arguments.
const sendAttributes = (topic: string | undefined): Attributes => creationAttributes('send', topic);
const createAttributes = (topic: string | undefined): Attributes => creationAttributes('create', topic);
const partitionedAttributes = (start: ProducerSpanStart): Attributes => {
  const attributes = creationAttributes(start.operation, start.topic);
  attributes[ATTR.DESTINATION_PARTITION_ID] = String(start.partition);
  return attributes;
};

/**
 * Starts a span of a producer operation (`send`, `create`) with the attributes the messaging
 * conventions ask for at creation, built only when the tracer needs them (a sampled-out message
 * costs none). The rest are set by {@link addProducerDetails} once the span records.
 * @internal
 */
export function startProducerSpan(
  tracing: ClientTracing,
  operation: 'send' | 'create',
  topic: string | undefined,
  parent: Context,
  partition: number | undefined,
  links: Link[] | undefined,
): Span {
  // Names per the conventions: "{operation} {destination}", or the operation alone when a call spans topics.
  const name = topic === undefined ? operation : spanName(operation, topic);
  if (partition !== undefined) {
    const start: ProducerSpanStart = { operation, topic, partition };
    return tracing.startSpan(name, SpanKind.PRODUCER, parent, partitionedAttributes, start, links, undefined);
  }
  return tracing.startSpan(name, SpanKind.PRODUCER, parent, operation === 'send' ? sendAttributes : createAttributes, topic, links, undefined);
}

/**
 * Attributes no sampler needs (the conventions list those that belong at creation): set after the
 * start, and only on a span that records, so a sampled-out message costs no key decoding (callers
 * read a message's key and value only for such a span). `key` and `value` are the message's (both
 * undefined for a span of no one message); `extra` joins them.
 * @internal
 */
export function addProducerDetails(
  span: Span,
  options: Pick<ProducerInstrumentationOptions, 'clientId' | 'captureMessageKey'>,
  key: Buffer | string | null | undefined,
  value: Buffer | string | null | undefined,
  extra?: Attributes,
): void {
  if (!span.isRecording()) return;
  const details: Attributes = extra ?? {};
  if (options.clientId !== undefined) details[ATTR.CLIENT_ID] = options.clientId;
  addMessageAttributes(details, key, value, options.captureMessageKey !== false);
  span.setAttributes(details);
}

/**
 * Starts the span that one message's headers will carry and returns the message with that context
 * injected. `create` spans end at once (they mark the message's creation); a `send` span is ended
 * by the caller when the broker answers.
 * @internal
 */
export function startMessageSpan(
  tracing: ClientTracing,
  options: ProducerInstrumentationOptions,
  operation: 'send' | 'create',
  topic: string,
  message: Message,
  parent: Context,
): { span: Span; message: Message } {
  const stale = staleSpanContext(tracing.propagator, message.headers);
  const partition = typeof message.partition === 'number' ? message.partition : undefined;
  const span = startProducerSpan(tracing, operation, topic, parent, partition, stale && [{ context: stale }]);
  let traced: Message;
  try {
    // Read only for a span that records: a sampled-out message's key and value are never touched.
    if (span.isRecording()) addProducerDetails(span, options, message.key, message.value);
    const ctx = options.pipelineOrigin === false ? injectionContextWithoutOrigin(parent, span) : injectionContext(parent, span);
    traced = injectIntoMessage(tracing.propagator, ctx, message);
  } catch (err) {
    span.end(); // a started span always ends, even when what follows its start fails
    throw err;
  }
  callHook(options.producerHook, span, { topic, message: traced });
  if (operation === 'create') span.end();
  return { span, message: traced };
}

/** Starts the `send` span of a call carrying several messages. @internal */
export function startBatchSendSpan(
  tracing: ClientTracing,
  options: ProducerInstrumentationOptions,
  topics: ReadonlySet<string>,
  count: number,
  parent: Context,
): Span {
  const [only] = topics;
  const span = startProducerSpan(tracing, 'send', topics.size === 1 ? only : undefined, parent, undefined, undefined);
  try {
    addProducerDetails(span, options, undefined, undefined, { [ATTR.BATCH_MESSAGE_COUNT]: count });
  } catch (err) {
    span.end(); // a started span always ends, even when what follows its start fails
    throw err;
  }
  return span;
}

/** Puts where the broker stored the message on its span: the partition and, for one message, its offset. @internal */
export function recordAck(span: Span, metadata: RecordMetadata[] | undefined, singleMessage: boolean): void {
  if (!Array.isArray(metadata) || metadata.length !== 1 || !span.isRecording()) return;
  const [m] = metadata;
  if (!m) return;
  span.setAttribute(ATTR.DESTINATION_PARTITION_ID, String(m.partition));
  const offset = m.baseOffset ?? m.offset;
  if (singleMessage && offset !== undefined) span.setAttribute(ATTR.KAFKA_OFFSET, Number(offset));
}
