import { ROOT_CONTEXT, trace, type Context, type SpanContext, type TextMapSetter } from '@opentelemetry/api';
import type { IHeaders, Message } from 'kafkajs';
import type { Propagator } from './propagator';
import { headerGetter } from './header-carrier';
import { reportSwallowed } from '../diag/report-once';
import { readsW3cDirectly } from '../global-telemetry';
import { w3cPropagator } from './w3c-propagator';
import { isValidSpanContext } from './traceparent';

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
    return sc && isValidSpanContext(sc) ? sc : undefined;
  } catch (err) {
    reportSwallowed('extract', err);
    return undefined;
  }
}

/**
 * The fields the current inject call wrote, in order (inject is synchronous, so one list serves):
 * the first `written` entries. A count, not `length = 0`: truncating an array costs V8 more than
 * the whole rest of the bookkeeping.
 */
const writtenKeys: string[] = [];
const writtenValues: string[] = [];
let written = 0;
const collectingSetter: TextMapSetter<IHeaders> = {
  set(_carrier, key, value) {
    const lower = key.toLowerCase();
    const at = writtenIndex(lower);
    if (at >= 0) writtenValues[at] = value;
    else {
      writtenKeys[written] = lower;
      writtenValues[written] = value;
      written++;
    }
  },
};

/** The carrier handed to the propagator: the collecting setter ignores it, so one frozen object serves. */
const NO_CARRIER: IHeaders = Object.freeze({}) as IHeaders;

function writtenIndex(key: string): number {
  for (let i = 0; i < written; i++) if (writtenKeys[i] === key) return i;
  return -1;
}

/** Sets a header as an own property, even one named `__proto__` (kafkajs delivers that as an own key). */
function setOwn(headers: IHeaders, key: string, value: IHeaders[string]): void {
  if (key === '__proto__') Object.defineProperty(headers, key, { value, enumerable: true, writable: true, configurable: true });
  else headers[key] = value;
}

/**
 * Returns the message with `ctx` injected into a copy of its headers. The user's headers are kept,
 * except earlier values of the fields the propagator writes now (matched case-insensitively), which
 * the new context replaces: an application's own `baggage` or `tracestate` stays when the context
 * has none to write. When the propagator writes nothing (none registered), the message is returned
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
  written = 0;
  try {
    // This package's W3C propagator in effect (startTracing's default): called directly, not through the API.
    (readsW3cDirectly(propagator) ? w3cPropagator : propagator).inject(ctx, NO_CARRIER, collectingSetter);
  } catch (err) {
    // The message goes out as the application wrote it; the span still records the send.
    reportSwallowed('inject', err);
    return message;
  }
  if (written === 0) return message;
  const headers: IHeaders = {};
  if (old) {
    for (const key of Object.keys(old)) {
      if (writtenIndex(key.toLowerCase()) < 0) setOwn(headers, key, old[key]);
    }
  }
  for (let i = 0; i < written; i++) setOwn(headers, writtenKeys[i] as string, writtenValues[i]);
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
