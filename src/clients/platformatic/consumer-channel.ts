import type { Context, Span } from '@opentelemetry/api';
import type { TracingChannelSubscribers } from 'node:diagnostics_channel';
import type { KafkaMessage } from 'kafkajs';
import type { ClientTracing } from '../../client-tracing';
import { startProcessSpan } from '../../consumer/process-span';
import { reportSwallowed } from '../../diag/report-once';
import { extractUpstream } from '../../propagation/extract-headers';
import { errorType, recordError } from '../../spans/span-errors';
import { callHook } from '../../user-hook';
import type { PlatformaticMessage, ReceiveEvent } from './channel-types';
import { receivedHeaders } from './headers';
import type { ClientOptions, PlatformaticTracingOptions } from './options';

/** The `process` span of one delivered message. @internal */
export interface Delivery {
  span: Span;
  /** The context work for the message runs in: the span, the upstream baggage, the pipeline origin. */
  context: Context;
  topic: string;
  groupId: string | undefined;
  tracing: ClientTracing;
  started: number;
  /** Still running: ended by the delivery's end, or by {@link withPlatformaticMessageSpan} when it took the span over. */
  open: boolean;
  /** A `withPlatformaticMessageSpan` call took the span over while it was open: it ends the span. */
  claimed: boolean;
}

/** Lets the helper find a delivered message's span without changing the message object. @internal */
export const deliveries = new WeakMap<object, Delivery>();

/** Ends a delivery's span, with the error it failed with if any, and records the process metrics. @internal */
export function finishDelivery(d: Delivery, err: unknown): void {
  if (!d.open) return;
  d.open = false;
  // Never throws: it runs in a channel subscriber (whose throw would be an uncaught exception) or on the
  // way back to the user's handler result.
  try {
    if (err !== undefined) recordError(d.span, err);
    d.span.end();
    if (d.tracing.metrics.isEnabled()) {
      d.tracing.metrics.recordProcess(d.topic, d.groupId, 1, (performance.now() - d.started) / 1000, err === undefined ? undefined : errorType(err));
    }
  } catch (failure) {
    reportSwallowed('span-setup', failure);
  }
}

/** The message as the shared `process` span code reads it: the bytes on the wire for key and size. */
function messageView(message: PlatformaticMessage, event: ReceiveEvent): KafkaMessage {
  const raw = event.raw;
  const key = raw ? raw.key : typeof message.key === 'string' || Buffer.isBuffer(message.key) ? message.key : undefined;
  const value = raw ? raw.value : typeof message.value === 'string' || Buffer.isBuffer(message.value) ? message.value : undefined;
  return {
    key: key ?? null,
    value: value ?? null,
    offset: String(message.offset),
    timestamp: String(message.timestamp),
    attributes: 0,
    headers: undefined,
  } as unknown as KafkaMessage;
}

function startDelivery(tracing: ClientTracing, options: ClientOptions, all: PlatformaticTracingOptions, event: ReceiveEvent, message: PlatformaticMessage): Delivery {
  const { topic, partition } = message;
  const started = performance.now();
  const timestamp = Number(message.timestamp);
  if (tracing.metrics.isEnabled()) tracing.metrics.recordLatency(topic, options.groupId, timestamp, Date.now());
  const upstream = extractUpstream(tracing.propagator, receivedHeaders(event.raw, message.headers), tracing.legacy);
  const { span, context } = startProcessSpan(tracing, options, topic, partition, messageView(message, event), upstream);
  // A message the client could not fully deserialize is still delivered (its `metadata` says so): the span records why.
  if (event.error !== undefined) recordError(span, event.error);
  callHook(all.consumerHook, span, { topic, partition, message });
  return { span, context, topic, groupId: options.groupId, tracing, started, open: true, claimed: false };
}

/**
 * Subscribers of `plt:kafka:consumer:receives`. The client publishes `asyncStart` with the message
 * about to be pushed into its stream and `asyncEnd` once `push` returned (`error` and `end` when it
 * threw): the `process` span covers that delivery, including listeners the push runs synchronously
 * (a `'data'` listener of a flowing stream), unless {@link withPlatformaticMessageSpan} takes it over.
 * @internal
 */
export function consumerSubscribers(
  tracing: ClientTracing,
  all: PlatformaticTracingOptions,
  optionsOf: (client: ReceiveEvent['client']) => ClientOptions,
): TracingChannelSubscribers<ReceiveEvent> {
  const pending = new WeakMap<object, Delivery>();
  const settle = (event: ReceiveEvent, err: unknown): void => {
    const d = pending.get(event);
    if (!d) return;
    pending.delete(event);
    if (!d.claimed) finishDelivery(d, err);
  };
  return {
    start() {},
    asyncStart(event) {
      const message = event.result;
      if (!message || typeof message !== 'object' || typeof message.topic !== 'string' || !tracing.active()) return;
      try {
        const d = startDelivery(tracing, optionsOf(event.client), all, event, message);
        pending.set(event, d);
        deliveries.set(message, d);
      } catch (err) {
        reportSwallowed('span-setup', err); // the message is delivered untraced
      }
    },
    asyncEnd(event) {
      settle(event, undefined);
    },
    error() {},
    // Reached with the span still pending only when the push threw (the stream is then destroyed).
    end(event) {
      settle(event, event.error);
    },
  };
}
