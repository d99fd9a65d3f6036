import { context } from '@opentelemetry/api';
import type { PlatformaticMessage } from './channel-types';
import { deliveries, finishDelivery } from './consumer-channel';
import { thenOf } from '../../thenable';

/**
 * Runs `fn` in the context of the `process` span of a message a `@platformatic/kafka` stream
 * delivered (traced by {@link tracePlatformaticKafka}): spans and produces made inside `fn` are
 * children of that span, in the message's end-to-end trace, with its baggage.
 *
 * A stream hands messages over through its buffer, so the handler of `for await` (or of `'data'` on
 * a paused stream) runs after the delivery: the `process` span has ended by then and `fn`'s work
 * comes under it as later children. Called from a `'data'` listener of a flowing stream (the push
 * runs it at once), the span is still open: it then lasts until `fn` (and its promise) settles, and
 * records what `fn` throws. For a message not traced, `fn` is just called.
 *
 * @example
 * const stream = await consumer.consume({ topics: ['orders'] });
 * for await (const message of stream) {
 *   await withPlatformaticMessageSpan(message, () => handle(message));
 * }
 */
export function withPlatformaticMessageSpan<T>(message: PlatformaticMessage, fn: () => T): T {
  const d = message !== null && typeof message === 'object' ? deliveries.get(message) : undefined;
  if (!d) return fn();
  if (!d.open || d.claimed) return context.with(d.context, fn);
  d.claimed = true;
  let result: T;
  try {
    result = context.with(d.context, fn);
  } catch (err) {
    finishDelivery(d, err);
    throw err;
  }
  const then = thenOf(result);
  if (!then) {
    finishDelivery(d, undefined);
    return result;
  }
  return then.call(
    result,
    (v: unknown) => {
      finishDelivery(d, undefined);
      return v;
    },
    (err: unknown) => {
      finishDelivery(d, err);
      throw err;
    },
  ) as T;
}
