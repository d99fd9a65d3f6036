import { context, type Span } from '@opentelemetry/api';
import type { KafkaMessage } from 'kafkajs';
import { reportSwallowed } from '../diag/report-once';
import { recordError } from '../spans/span-errors';
import { byMessage, messageSpan } from './each-batch';
import { thenOf } from '../thenable';

/**
 * Runs `fn` inside the `process` span of one message of the current `eachBatch` call, in that
 * message's own trace (child of its producer's span), so work done for the message (a produce, an
 * HTTP call) joins the message's end-to-end trace. The span lasts as long as `fn` (and its promise).
 * Outside an instrumented `eachBatch`, or for a message already traced, it just calls `fn`.
 *
 * @example
 * await consumer.run({ eachBatch: async ({ batch, resolveOffset }) => {
 *   for (const message of batch.messages) {
 *     await withMessageSpan(message, () => handle(message));
 *     resolveOffset(message.offset);
 *   }
 * }});
 */
export function withMessageSpan<T>(message: KafkaMessage, fn: () => T): T {
  const entry = byMessage.get(message);
  if (!entry || entry.state.done) return fn();
  let span: Span;
  let ctx;
  try {
    entry.state.done = true;
    ({ span, ctx } = messageSpan(entry.batch, entry.state, undefined));
  } catch (err) {
    reportSwallowed('span-setup', err);
    return fn();
  }
  let result: T;
  try {
    result = context.with(ctx, fn);
  } catch (err) {
    recordError(span, err);
    span.end();
    throw err;
  }
  // Any thenable, not only a native Promise: the span lasts until it settles. Its `then` is read once.
  const then = thenOf(result);
  if (then) {
    return then.call(
      result,
      (v: unknown) => {
        span.end();
        return v;
      },
      (err: unknown) => {
        recordError(span, err);
        span.end();
        throw err;
      },
    ) as T;
  }
  span.end();
  return result;
}
