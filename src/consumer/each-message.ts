import { context, type Span } from '@opentelemetry/api';
import type { EachMessageHandler, EachMessagePayload } from 'kafkajs';
import type { ConsumerInstrumentationOptions } from '../options';
import { extractUpstream } from '../propagation/extract-headers';
import { errorType, recordError } from '../shared/span-errors';
import type { TracingContext } from '../shared/tracing-context';
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
  tc: TracingContext,
  options: ConsumerInstrumentationOptions,
  lag?: LagTracker,
): EachMessageHandler {
  const traced = async (payload: EachMessagePayload): Promise<void> => {
    let span: Span;
    let ctx;
    const measuring = tc.metrics.isEnabled();
    const started = measuring ? performance.now() : 0;
    try {
      if (measuring) {
        const timestamp = Number(payload.message.timestamp);
        tc.metrics.recordLatency(payload.topic, options.groupId, timestamp, Date.now());
        lag?.processing(payload.topic, payload.partition, Number(payload.message.offset), timestamp);
      }
      const upstream = extractUpstream(tc.propagator, payload.message.headers, tc.legacy);
      ({ span, context: ctx } = startProcessSpan(tc, options, payload.topic, payload.partition, payload.message, upstream));
    } catch {
      return handler(payload); // tracing must never stand in the way of the handler
    }
    let failure: string | undefined;
    try {
      return await context.with(ctx, handler, undefined, payload);
    } catch (err) {
      failure = errorType(err);
      recordError(span, err);
      throw err;
    } finally {
      span.end();
      if (measuring) tc.metrics.recordProcess(payload.topic, options.groupId, 1, (performance.now() - started) / 1000, failure);
    }
  };
  // With nothing registered the handler is called as it is: no extra promise per message.
  return (payload: EachMessagePayload): Promise<void> => (tc.active() ? traced(payload) : handler(payload));
}
