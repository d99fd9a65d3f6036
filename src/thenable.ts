/** The `then` of a thenable, as `withMessageSpan` and `withPlatformaticMessageSpan` call it. @internal */
export type Then = (onFulfilled: (v: unknown) => unknown, onRejected: (e: unknown) => unknown) => unknown;

/**
 * The `then` method of a thenable (read once: a getter could answer differently twice), else undefined.
 * @internal
 */
export function thenOf(value: unknown): Then | undefined {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return undefined;
  try {
    const then: unknown = (value as { then?: unknown }).then;
    return typeof then === 'function' ? (then as Then) : undefined;
  } catch {
    return undefined;
  }
}
