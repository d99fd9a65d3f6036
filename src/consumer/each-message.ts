import { context, type Context, type Span } from '@opentelemetry/api';
import type { EachMessageHandler, EachMessagePayload } from 'kafkajs';
import type { ConsumerInstrumentationOptions } from '../options';
import { extractUpstream } from '../propagation/extract-headers';
import { reportSwallowed } from '../diag/report-once';
import { errorType, recordError } from '../spans/span-errors';
import type { ClientTracing } from '../client-tracing';
import { startProcessSpan } from './process-span';
import type { LagTracker } from '../metrics/consumer-lag';

/**
 * Wraps an `eachMessage` handler: the handler runs inside the message's `process <topic>` span with
 * the original payload, the span ends when it settles, and a thrown error is recorded and rethrown
 * unchanged so kafkajs retries, pauses and commits exactly as without tracing.
 * @internal
 */
export function traceEachMessage(
  handler: EachMessageHandler,
  tracing: ClientTracing,
  options: ConsumerInstrumentationOptions,
  lag?: LagTracker,
): EachMessageHandler {
  /** Runs the handler inside a span that records (or with metrics on): ends it when the handler settles. */
  const settle = async (payload: EachMessagePayload, span: Span, ctx: Context, measuring: boolean, started: number): Promise<void> => {
    let failure: string | undefined;
    try {
      await context.with(ctx, handler, undefined, payload);
      // Without batch events nothing else says the message is done (kafkajs's END_BATCH_PROCESS does).
      if (measuring && lag?.handlerFed) lag.consumedUpTo(payload.topic, payload.partition, Number(payload.message.offset));
    } catch (err) {
      failure = errorType(err);
      recordError(span, err);
      throw err;
    } finally {
      span.end();
      if (measuring) tracing.metrics.recordProcess(payload.topic, options.groupId, 1, (performance.now() - started) / 1000, failure);
    }
  };
  const traced = (payload: EachMessagePayload): Promise<void> => {
    let span: Span;
    let ctx: Context;
    const measuring = tracing.metrics.isEnabled();
    const started = measuring ? performance.now() : 0;
    try {
      if (measuring) {
        const timestamp = Number(payload.message.timestamp);
        tracing.metrics.recordLatency(payload.topic, options.groupId, timestamp, Date.now());
        lag?.processing(payload.topic, payload.partition, Number(payload.message.offset), timestamp);
      }
      const upstream = extractUpstream(tracing.propagator, payload.message.headers, tracing.legacy);
      ({ span, context: ctx } = startProcessSpan(tracing, options, payload.topic, payload.partition, payload.message, upstream, undefined, measuring));
    } catch (err) {
      reportSwallowed('span-setup', err);
      return handler(payload); // tracing must never stand in the way of the handler
    }
    // Sampled out and no metrics: the handler's outcome changes nothing here, so it runs as it would
    // untraced, in the message's context, without a promise of ours around it.
    if (!measuring && !span.isRecording()) return context.with(ctx, handler, undefined, payload);
    return settle(payload, span, ctx, measuring, started);
  };
  // With nothing registered the handler is called as it is: no extra promise per message.
  return (payload: EachMessagePayload): Promise<void> => (tracing.active() ? traced(payload) : handler(payload));
}
