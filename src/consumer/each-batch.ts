import { context, trace, SpanKind, type Link, type Span } from '@opentelemetry/api';
import type { EachBatchHandler, EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { ConsumerInstrumentationOptions } from '../options';
import { ATTR } from '../semconv';
import { extractUpstream, type Upstream } from '../propagation/extract-headers';
import { reportSwallowed } from '../diag/report-once';
import { errorType, recordError } from '../spans/span-errors';
import type { ClientTracing } from '../client-tracing';
import { processAttributes, startProcessSpan } from './process-span';
import type { LagTracker } from '../metrics/consumer-lag';
import { lagAfterResolve } from './lag-events';

const DEFAULT_MAX_BATCH_LINKS = 128;

/** Where one message of a batch stands. @internal */
export interface MessageState {
  message: KafkaMessage;
  offset: number;
  upstream: Upstream;
  done: boolean;
}

/** One `eachBatch` call in flight. @internal */
export interface BatchState {
  tracing: ClientTracing;
  options: ConsumerInstrumentationOptions;
  topic: string;
  partition: number;
  batchLink: Link;
  messages: MessageState[];
  /** Index of the first message whose span has not been made yet (messages are in offset order). */
  next: number;
  /** Start of the current per-message span: the batch start, then each resolveOffset. */
  segmentStart: number;
}

/** Lets `withMessageSpan` find the batch a message belongs to without changing the message object. @internal */
export const byMessage = new WeakMap<KafkaMessage, { batch: BatchState; state: MessageState }>();

/** Makes the `process` span of one message of a batch, in that message's own trace, over [start, end]. @internal */
export function messageSpan(b: BatchState, s: MessageState, start: number | undefined): { span: Span; ctx: ReturnType<typeof context.active> } {
  const { span, context: ctx } = startProcessSpan(b.tracing, b.options, b.topic, b.partition, s.message, s.upstream, {
    startTime: start,
    links: [b.batchLink],
  });
  return { span, ctx };
}

/** Ends the spans of every not-yet-traced message up to `offset` (inclusive), timed over the current segment. */
function closeUpTo(b: BatchState, offset: number, err: unknown): void {
  const now = Date.now();
  while (b.next < b.messages.length) {
    const s = b.messages[b.next] as MessageState;
    if (s.offset > offset) break;
    b.next++;
    if (s.done) continue;
    s.done = true;
    const { span } = messageSpan(b, s, b.segmentStart);
    if (err !== undefined) recordError(span, err);
    span.end(now);
  }
  b.segmentStart = now;
}

function startBatch(payload: EachBatchPayload, tracing: ClientTracing, options: ConsumerInstrumentationOptions): { span: Span; state: BatchState } {
  const { topic, partition, messages } = payload.batch;
  const maxLinks = options.maxBatchLinks ?? DEFAULT_MAX_BATCH_LINKS;
  const links: Link[] = [];
  const states: MessageState[] = [];
  const now = Date.now();
  for (const message of messages) {
    tracing.metrics.recordLatency(topic, options.groupId, Number(message.timestamp), now);
    const upstream = extractUpstream(tracing.propagator, message.headers, tracing.legacy);
    if (upstream.spanContext && links.length < maxLinks) links.push({ context: upstream.spanContext });
    states.push({ message, offset: Number(message.offset), upstream, done: false });
  }
  const attributes = processAttributes(options, topic, partition);
  if (options.clientId !== undefined) attributes[ATTR.CLIENT_ID] = options.clientId;
  attributes[ATTR.BATCH_MESSAGE_COUNT] = messages.length;
  const span = tracing.tracer.startSpan(`process ${topic}`, { kind: SpanKind.CONSUMER, attributes, links }, context.active());
  const state: BatchState = {
    tracing,
    options,
    topic,
    partition,
    batchLink: { context: span.spanContext() },
    messages: states,
    next: 0,
    segmentStart: Date.now(),
  };
  for (const s of states) byMessage.set(s.message, { batch: state, state: s });
  return { span, state };
}

/**
 * Wraps an `eachBatch` handler: one `process <topic>` span for the batch, linked to every message's
 * context (up to `maxBatchLinks`), and per message a `process` span in that message's own trace,
 * timed from the batch start (or the previous `resolveOffset`) to the `resolveOffset` that covers it
 * or the batch's end. The batch API keeps its behaviour; errors are recorded and rethrown unchanged.
 * @internal
 */
export function traceEachBatch(handler: EachBatchHandler, tracing: ClientTracing, options: ConsumerInstrumentationOptions, lag?: LagTracker): EachBatchHandler {
  return async (payload: EachBatchPayload): Promise<void> => {
    let started: ReturnType<typeof startBatch> | undefined;
    try {
      if (tracing.active() && payload.batch.messages.length > 0) {
        started = startBatch(payload, tracing, options);
        if (lag) lagAfterResolve(lag, payload.batch.topic, payload.batch.partition, payload.batch.messages[0], -1);
      }
    } catch (err) {
      reportSwallowed('span-setup', err);
    }
    // Outside the try: a handler that throws synchronously must not be taken for a tracing failure
    // and called a second time.
    if (!started) return handler(payload);
    const { span, state } = started;
    const startedAt = performance.now();
    const traced: EachBatchPayload = {
      ...payload,
      // Every argument goes through: Confluent's resolveOffset(offset, leaderEpoch) takes a second one.
      resolveOffset: (...args: Parameters<EachBatchPayload['resolveOffset']>) => {
        const [offset] = args;
        payload.resolveOffset(...args);
        try {
          closeUpTo(state, Number(offset), undefined);
          if (lag) lagAfterResolve(lag, state.topic, state.partition, state.messages[state.next]?.message, Number(offset));
        } catch (err) {
          reportSwallowed('span-setup', err);
        }
      },
    };
    let failure: unknown;
    try {
      return await context.with(trace.setSpan(context.active(), span), handler, undefined, traced);
    } catch (err) {
      failure = err;
      recordError(span, err);
      throw err;
    } finally {
      try {
        closeUpTo(state, Number.POSITIVE_INFINITY, failure);
      } catch (err) {
        reportSwallowed('span-setup', err);
      }
      span.end();
      tracing.metrics.recordProcess(state.topic, options.groupId, state.messages.length, (performance.now() - startedAt) / 1000, failure === undefined ? undefined : errorType(failure));
    }
  };
}
