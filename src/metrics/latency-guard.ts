/**
 * Latencies measured across hosts subtract one host's clock from another's. A negative value or one
 * older than any Kafka retention says the clocks (or the carried origin) are wrong, not that the
 * message waited: such values are counted as rejected, never recorded, so one skewed host cannot
 * bend a histogram.
 */

/** Why a latency was not recorded. @internal */
export type Rejection = 'negative' | 'too_old' | 'malformed';

/** Longer than any sensible retention of a live pipeline (30 days): past it a value is a broken clock. */
export const MAX_PLAUSIBLE_LATENCY_MS = 30 * 24 * 3600 * 1000;

/** `nowMs − fromMs` when plausible, else the reason it is not. @internal */
export function checkLatency(fromMs: number, nowMs: number): number | Rejection {
  const ms = nowMs - fromMs;
  if (!Number.isFinite(ms)) return 'malformed';
  if (ms < 0) return 'negative';
  if (ms > MAX_PLAUSIBLE_LATENCY_MS) return 'too_old';
  return ms;
}

/**
 * Bucket boundaries (seconds) for time spent queueing: a healthy hop takes milliseconds, a backed-up
 * consumer minutes to hours, so the buckets run from 1 ms to 4 h, roughly ×2.5 apart.
 * @internal
 */
export const QUEUEING_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400,
];
