import { ROOT_CONTEXT, trace, type Context, type SpanContext } from '@opentelemetry/api';
import type { IHeaders, Message } from 'kafkajs';
import type { Propagator } from '../shared/tracing-context';
import { headerGetter, headerSetter } from './header-carrier';

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
  } catch {
    return undefined;
  }
}

/**
 * Returns the message with `ctx` injected into a copy of its headers. The user's headers are kept,
 * except earlier values of the propagator's own fields (matched case-insensitively), which the new
 * context replaces. When the propagator writes nothing (none registered), the message is returned
 * as it was: no header changes. The caller's message object is never mutated.
 * @internal
 */
export function injectIntoMessage(propagator: Propagator, ctx: Context, message: Message): Message {
  const injected: Record<string, string> = {};
  propagator.inject(ctx, injected, headerSetter);
  const injectedKeys = Object.keys(injected);
  if (injectedKeys.length === 0) return message;

  const headers: IHeaders = {};
  const old = message.headers;
  if (old) {
    const fields = new Set(propagator.fields().map((f) => f.toLowerCase()));
    for (const key of Object.keys(old)) {
      if (!fields.has(key.toLowerCase())) headers[key] = old[key];
    }
  }
  for (const key of injectedKeys) headers[key] = injected[key];
  return { ...message, headers };
}
