import { SpanStatusCode, type Exception, type Span } from '@opentelemetry/api';
import { ATTR } from '../semconv';
import { reportSwallowed } from '../diag/report-once';

/**
 * Characters of an error's message kept on a span (exception event and status). Handlers' errors can
 * quote what they were given (`JSON.parse` quotes the body it failed on): the cut keeps a message
 * body out of the trace beyond its first few hundred characters.
 */
export const MAX_EXCEPTION_MESSAGE = 256;

/** Characters of a stack trace kept on the exception event. */
const MAX_STACK = 4096;

/** Longest `error.type` kept: it is an attribute of metric series as well as of spans. */
const MAX_ERROR_TYPE = 128;

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

/**
 * `error.type` per the conventions: the error's class name, or `_OTHER` for thrown non-errors.
 * Never throws (an error's `name` can be a getter that does): the caller is about to rethrow the
 * user's error, which must come back exactly as it was thrown.
 * @internal
 */
export function errorType(err: unknown): string {
  try {
    if (!(err instanceof Error)) return '_OTHER';
    const name: unknown = err.name;
    return typeof name === 'string' && name !== '' ? cut(name, MAX_ERROR_TYPE) : 'Error';
  } catch {
    return '_OTHER';
  }
}

/** The error's stack, or undefined when it has none or reading it throws (V8 formats it on first read, with the `name` getter). */
function readStack(err: Error): string | undefined {
  try {
    const stack: unknown = err.stack;
    return typeof stack === 'string' ? stack : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The exception event of an error: its type, its message cut to {@link MAX_EXCEPTION_MESSAGE}
 * characters, and its stack with the message inside it cut the same way (V8's stack starts with
 * `name: message`).
 */
function exceptionOf(err: unknown): { exception: Exception; message: string } {
  if (!(err instanceof Error)) {
    const message = cut(String(err), MAX_EXCEPTION_MESSAGE);
    return { exception: message, message };
  }
  const full = String(err.message);
  const message = cut(full, MAX_EXCEPTION_MESSAGE);
  const name = errorType(err);
  let stack = readStack(err);
  if (stack !== undefined && full.length > MAX_EXCEPTION_MESSAGE) {
    const head = `${name}: ${full}`;
    // A stack that does not start with the message may still quote it: it is left out rather than kept whole.
    stack = stack.startsWith(head) ? `${name}: ${message}${stack.slice(head.length)}` : undefined;
  }
  return { exception: { name, message, stack: stack === undefined ? undefined : cut(stack, MAX_STACK) }, message };
}

/**
 * Records a failure on a span the way the conventions ask: exception event, ERROR status and
 * `error.type`. Never throws: the caller is about to rethrow the user's error and must not lose it.
 * @internal
 */
export function recordError(span: Span, err: unknown): void {
  try {
    const { exception, message } = exceptionOf(err);
    span.recordException(exception);
    span.setStatus({ code: SpanStatusCode.ERROR, message });
    span.setAttribute(ATTR.ERROR_TYPE, errorType(err));
  } catch (failure) {
    // Recording is best effort (an error whose message or toString throws, a span that refuses): say so once.
    reportSwallowed('record-error', failure);
  }
}
