import { ROOT_CONTEXT, trace, type Context, type SpanContext, type TextMapSetter } from '@opentelemetry/api';
import type { IHeaders, Message } from 'kafkajs';
import type { Propagator } from './propagator';
import { headerGetter, headerSetter } from './header-carrier';
import { reportSwallowed } from '../diag/report-once';

/**
 * The span context already present in an outgoing message's headers: a `traceparent` copied from an
 * incoming message when a service forwards, retries or dead-letters it. The new span links to it,
 * so replacing the header loses nothing. Never throws.
 * @internal
 */
export function staleSpanContext(propagator: Propagator, headers: IHeaders | undefined): SpanContext | undefined {
  if (!headers) return undefined;
  try {
    const sc = trace.getSpanContext(propagator.extract(ROOT_CONTEXT, headers, headerGetter));
    return sc && trace.isSpanContextValid(sc) ? sc : undefined;
  } catch (err) {
    reportSwallowed('extract', err);
    return undefined;
  }
}

/** Header fields written by the current inject call (inject is synchronous, so one counter serves). */
let written = 0;
const countingSetter: TextMapSetter<IHeaders> = {
  set(carrier, key, value) {
    headerSetter.set(carrier as Record<string, string>, key, value);
    written++;
  },
};

/** The last fields list seen and its lowercase set: a propagator's fields rarely change, but are asked per message. */
let lastFields: { list: string[]; lower: ReadonlySet<string> } | undefined;

function lowercaseFields(list: string[]): ReadonlySet<string> {
  const last = lastFields;
  if (last && last.list.length === list.length && last.list.every((f, i) => f === list[i])) return last.lower;
  const lower = new Set(list.map((f) => f.toLowerCase()));
  lastFields = { list: [...list], lower };
  return lower;
}

/**
 * Returns the message with `ctx` injected into a copy of its headers. The user's headers are kept,
 * except earlier values of the propagator's own fields (matched case-insensitively), which the new
 * context replaces. When the propagator writes nothing (none registered), the message is returned
 * as it was: no header changes. A message whose headers are a list, not a record, goes with the same
 * content (a shallow copy) and no context. The caller's message object is never mutated.
 * @internal
 */
export function injectIntoMessage(propagator: Propagator, ctx: Context, message: Message): Message {
  const old = message.headers;
  if (Array.isArray(old)) {
    // Not a header record: the list Confluent's send() leaves in a message it was given. The client
    // rejects it, and what its native code does with one depends on the Node.js line; sent with the
    // same content, the client answers as it would untraced. A copy still: that client rewrites what it gets.
    reportSwallowed('inject', new TypeError('message headers are a list, not a record: sent without trace context'));
    return { ...message };
  }
  const headers: IHeaders = {};
  if (old) {
    const fields = lowercaseFields(propagator.fields());
    for (const key of Object.keys(old)) {
      if (!fields.has(key.toLowerCase())) headers[key] = old[key];
    }
  }
  written = 0;
  try {
    propagator.inject(ctx, headers, countingSetter);
  } catch (err) {
    // The message goes out as the application wrote it; the span still records the send.
    reportSwallowed('inject', err);
    return message;
  }
  if (written === 0) return message;
  return withHeaders(message, headers);
}

/**
 * A copy of `message` (every own enumerable property, as a spread copies them) with `headers`. Node
 * 20's V8 takes about half a microsecond to add a property the spread source lacked (`{ ...m, headers }`
 * on a message without headers); declaring it first costs a few tens of nanoseconds on every version.
 */
function withHeaders(message: Message, headers: IHeaders): Message {
  const copy: Message = Object.prototype.hasOwnProperty.call(message, 'headers') ? { ...message } : { headers: undefined, ...message };
  copy.headers = headers;
  return copy;
}
