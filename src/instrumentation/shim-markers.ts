// The markers OpenTelemetry's instrumentations put on the functions they wrap (`shimmer`'s
// convention, which @opentelemetry/instrumentation's `_wrap` follows): `__wrapped`, `__original`,
// `__unwrap`. Read here to see who else patched a Kafka client.

/** A function wrapped the way OpenTelemetry's instrumentations wrap. @internal */
export interface ShimWrapped {
  (...args: unknown[]): unknown;
  __wrapped: true;
  __original: (...args: unknown[]) => unknown;
  __unwrap: () => void;
}

/** Whether a value is a function wrapped by an OpenTelemetry instrumentation (or this package). @internal */
export function isShimWrapped(value: unknown): value is ShimWrapped {
  return typeof value === 'function' && (value as Partial<ShimWrapped>).__wrapped === true && typeof (value as Partial<ShimWrapped>).__original === 'function';
}

/** Whether `target` is `fn` or one of the functions `fn` wraps, following `__original` (a few levels at most). @internal */
export function wraps(fn: unknown, target: unknown): boolean {
  let current: unknown = fn;
  for (let depth = 0; depth < 16 && typeof current === 'function'; depth++) {
    if (current === target) return true;
    current = isShimWrapped(current) ? current.__original : undefined;
  }
  return false;
}
