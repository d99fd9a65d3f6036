import { SpanStatusCode, type Span } from '@opentelemetry/api';
import { ATTR } from '../semconv';
import { reportSwallowed } from '../diag/report-once';

/** `error.type` per the conventions: the error's class name, or `_OTHER` for thrown non-errors. @internal */
export function errorType(err: unknown): string {
  if (err instanceof Error) return err.name || 'Error';
  return '_OTHER';
}

/**
 * Records a failure on a span the way the conventions ask: exception event, ERROR status and
 * `error.type`. Never throws: the caller is about to rethrow the user's error and must not lose it.
 * @internal
 */
export function recordError(span: Span, err: unknown): void {
  try {
    const message = err instanceof Error ? err.message : String(err);
    span.recordException(err instanceof Error ? err : message);
    span.setStatus({ code: SpanStatusCode.ERROR, message });
    span.setAttribute(ATTR.ERROR_TYPE, errorType(err));
  } catch (failure) {
    // Recording is best effort (an error whose message or toString throws, a span that refuses): say so once.
    reportSwallowed('record-error', failure);
  }
}
