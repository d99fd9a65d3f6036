/**
 * A collector's refusal or a failed exchange with it. `retryable` says whether sending the same body
 * again may succeed; `retryAfterMillis` is the wait the collector asked for (`Retry-After`), if any.
 * @internal
 */
export class CollectorPostError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMillis?: number,
    /** The collector client already reported the cause through diag (once); the queue need not. */
    readonly reported = false,
  ) {
    super(message);
    this.name = 'CollectorPostError';
  }
}

/** Longest `Retry-After` honoured: a collector asking for hours must not park the queue that long. */
const MAX_RETRY_AFTER_MS = 60_000;

/** `Retry-After` (seconds, or an HTTP date) in milliseconds from now; undefined when absent or unreadable. @internal */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const raw = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!raw) return undefined;
  const ms = /^\d+$/.test(raw) ? Number(raw) * 1000 : Date.parse(raw) - now;
  return Number.isFinite(ms) ? Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms)) : undefined;
}
