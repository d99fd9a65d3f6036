import type { HrTime, TimeInput } from '@opentelemetry/api';

/**
 * Wall-clock time from the monotonic clock: `performance.now()` plus an offset to the epoch. The
 * offset is taken from `Date.now()` and followed again at most once a second, and only when the two
 * clocks have drifted apart by more than `Date.now()`'s own millisecond granularity: a span's start
 * is then one `performance.now()` read, to the microsecond, and still on the wall clock (the SDK
 * takes its start from `Date.now()`, so every start time it exports is a whole millisecond).
 * @internal
 */
export class SpanClock {
  private offset = 0;
  private checkedAt = -Infinity;

  constructor() {
    this.offset = Date.now() - performance.now();
  }

  /** Milliseconds since the epoch, with the monotonic clock's sub-millisecond precision. */
  nowMs(): number {
    return this.epochMs(performance.now());
  }

  /** The epoch milliseconds of a `performance.now()` reading taken just now. */
  epochMs(now: number): number {
    if (now - this.checkedAt > 1000) this.follow(now);
    return this.offset + now;
  }

  /** The offset a `performance.now()` reading needs to become epoch milliseconds (see {@link nowMs}). */
  get epochOffset(): number {
    return this.offset;
  }

  private follow(now: number): void {
    this.checkedAt = now;
    const candidate = Date.now() - now;
    // Date.now() truncates to the millisecond: within that the two clocks agree, and following every
    // sample would move span times back and forth by up to a millisecond.
    if (Math.abs(candidate - this.offset) > 1) this.offset = candidate;
  }
}

/** Epoch milliseconds (fractional) as [seconds, nanoseconds], the nanoseconds within [0, 1e9). @internal */
export function msToHrTime(ms: number): HrTime {
  let seconds = Math.floor(ms / 1000);
  let nanos = Math.round((ms - seconds * 1000) * 1e6);
  if (nanos >= 1e9) {
    seconds += 1;
    nanos -= 1e9;
  }
  return [seconds, nanos];
}

/** Whether `t` is an `HrTime`: two numbers. */
function isHrTime(t: unknown): t is HrTime {
  return Array.isArray(t) && t.length === 2 && typeof t[0] === 'number' && typeof t[1] === 'number';
}

/**
 * A `TimeInput` as the SDK reads one: a number not past `performance.now()` is a performance
 * timestamp, a larger one epoch milliseconds; a `Date`; an `HrTime` as it is. `undefined` when the
 * input is none of these (the caller then takes the current time).
 * @internal
 */
export function timeInputToHrTime(input: TimeInput | undefined, clock: SpanClock): HrTime | undefined {
  if (typeof input === 'number') return msToHrTime(input <= performance.now() ? input + clock.epochOffset : input);
  if (input instanceof Date) return msToHrTime(input.getTime());
  if (isHrTime(input)) return input;
  return undefined;
}
