import { context, trace, type Context, type Span } from '@opentelemetry/api';
import type { TracingChannelSubscribers } from 'node:diagnostics_channel';
import type { ClientTracing } from '../../client-tracing';
import { reportSwallowed } from '../../diag/report-once';
import { addProducerDetails, startBatchSendSpan, startProducerSpan } from '../../producer/producer-spans';
import { staleSpanContext } from '../../propagation/inject-headers';
import { injectionContext, injectionContextWithoutOrigin } from '../../propagation/pipeline-origin';
import { ATTR } from '../../semconv';
import { errorType, recordError } from '../../spans/span-errors';
import { callHook } from '../../user-hook';
import type { PlatformaticOutgoingMessage, SendEvent } from './channel-types';
import { injectIntoOutgoing, outgoingHeaders } from './headers';
import type { ClientOptions, PlatformaticTracingOptions } from './options';

/** The spans of one send call in flight, ended when the broker answers. */
interface Send {
  spans: Span[];
  single: boolean;
  /** The call's topic, undefined when it spans several. */
  topic: string | undefined;
  count: number;
  started: number;
}

/** A key or value as the attributes read it: text and bytes; `undefined` goes out as null (a tombstone value). */
function payload(value: unknown): Buffer | string | null | undefined {
  if (value === undefined || value === null) return null;
  return typeof value === 'string' || Buffer.isBuffer(value) ? value : undefined;
}

/**
 * Starts the span whose context one message carries and returns a copy of the message carrying it.
 * `create` spans end at once; a `send` span ends when the broker answers.
 */
function startMessageSpan(
  tracing: ClientTracing,
  options: ClientOptions,
  all: PlatformaticTracingOptions,
  operation: 'send' | 'create',
  message: PlatformaticOutgoingMessage,
  parent: Context,
): { span: Span; message: PlatformaticOutgoingMessage } {
  const { topic } = message;
  const stale = staleSpanContext(tracing.propagator, outgoingHeaders(message.headers));
  const partition = typeof message.partition === 'number' ? message.partition : undefined;
  const span = startProducerSpan(tracing, operation, topic, parent, partition, stale && [{ context: stale }]);
  let traced: PlatformaticOutgoingMessage;
  try {
    // Read only for a span that records: a sampled-out message's key and value are never touched.
    if (span.isRecording()) {
      const key = payload(message.key);
      addProducerDetails(span, options, key === null ? undefined : key, payload(message.value));
    }
    const ctx = options.pipelineOrigin === false ? injectionContextWithoutOrigin(parent, span) : injectionContext(parent, span);
    traced = injectIntoOutgoing(tracing.propagator, ctx, message, all.headerType ?? 'buffer');
  } catch (err) {
    span.end(); // a started span always ends, even when what follows its start fails
    throw err;
  }
  callHook(all.producerHook, span, { topic, message: traced });
  if (operation === 'create') span.end();
  return { span, message: traced };
}

/**
 * Traces the messages of one `send` call like the kafkajs producer: one message, a `send <topic>`
 * span that message carries; several, a `send` span and under it a `create <topic>` span per message.
 * The event's `options` is the object the client goes on to send from (the client itself writes its
 * defaults into it), so the traced copies replace its `messages` array there; the caller's messages
 * and header objects are left as they were.
 */
function traceSend(tracing: ClientTracing, options: ClientOptions, all: PlatformaticTracingOptions, event: SendEvent): Send | undefined {
  const sendOptions = event.options;
  const messages = sendOptions?.messages;
  if (!sendOptions || !Array.isArray(messages) || messages.length === 0 || !messages.every((m) => m && typeof m.topic === 'string')) return undefined;
  const started = performance.now();
  const parent = context.active();
  if (messages.length === 1) {
    const { span, message } = startMessageSpan(tracing, options, all, 'send', messages[0] as PlatformaticOutgoingMessage, parent);
    sendOptions.messages = [message];
    return { spans: [span], single: true, topic: message.topic, count: 1, started };
  }
  const topics = new Set(messages.map((m) => m.topic));
  const sendSpan = startBatchSendSpan(tracing, options, topics, messages.length, parent);
  const sendCtx = trace.setSpan(parent, sendSpan);
  try {
    sendOptions.messages = messages.map((m) => startMessageSpan(tracing, options, all, 'create', m, sendCtx).message);
  } catch (err) {
    sendSpan.end(); // the call goes out untraced; the span it started must not stay open
    throw err;
  }
  const [only] = topics;
  return { spans: [sendSpan], single: false, topic: topics.size === 1 ? only : undefined, count: messages.length, started };
}

/** Puts where the broker stored the messages on the span: the partition when there is one, and the offset of a single message. */
function recordAck(span: Span, result: SendEvent['result'], single: boolean): void {
  const offsets = result?.offsets;
  if (!Array.isArray(offsets) || offsets.length !== 1 || !span.isRecording()) return;
  const [at] = offsets;
  if (!at) return;
  span.setAttribute(ATTR.DESTINATION_PARTITION_ID, String(at.partition));
  if (single && typeof at.offset === 'bigint') span.setAttribute(ATTR.KAFKA_OFFSET, Number(at.offset));
}

/**
 * Subscribers of `plt:kafka:producer:sends`: spans start when `send` is called (the caller's context
 * is active then) and end when the client answers, or at once when the call throws. @internal
 */
export function producerSubscribers(
  tracing: ClientTracing,
  all: PlatformaticTracingOptions,
  optionsOf: (client: SendEvent['client']) => ClientOptions,
): TracingChannelSubscribers<SendEvent> {
  const inFlight = new WeakMap<object, Send>();
  const settle = (event: SendEvent): void => {
    const send = inFlight.get(event);
    if (!send) return;
    inFlight.delete(event);
    // A subscriber that throws becomes an uncaught exception (diagnostics_channel rethrows it on the next tick).
    try {
      const failed = event.error !== undefined && event.error !== null;
      for (const span of send.spans) {
        if (failed) recordError(span, event.error);
        else recordAck(span, event.result, send.single);
        span.end();
      }
      tracing.metrics.recordSend(send.topic, send.count, (performance.now() - send.started) / 1000, failed ? errorType(event.error) : undefined);
    } catch (err) {
      reportSwallowed('span-setup', err);
    }
  };
  return {
    start(event) {
      if (!tracing.active()) return;
      try {
        const send = traceSend(tracing, optionsOf(event.client), all, event);
        if (send) inFlight.set(event, send);
      } catch (err) {
        reportSwallowed('span-setup', err); // the send goes out as the caller made it
      }
    },
    asyncStart: settle,
    // A call that throws publishes `error` then `end`, and no `asyncStart`.
    end(event) {
      if (event.error !== undefined) settle(event);
    },
    asyncEnd() {},
    error() {},
  };
}
