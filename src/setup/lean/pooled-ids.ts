import { randomFillSync } from 'node:crypto';
import type { IdGenerator } from '@opentelemetry/sdk-trace';

const POOL_BYTES = 4096;
const ZERO_SPAN_ID = '0000000000000000';
const ZERO_TRACE_ID = ZERO_SPAN_ID + ZERO_SPAN_ID;

/**
 * Trace and span ids cut from a pool of cryptographically random bytes, refilled and turned into
 * hex 4 KiB at a time: an id is then a slice of one string (tens of nanoseconds) instead of a
 * native hex conversion per id, or two to four `Math.random()` calls and writes per id (the SDK's
 * `RandomIdGenerator`). All-zero ids, invalid in W3C, are drawn again.
 * @internal
 */
export class PooledIdGenerator implements IdGenerator {
  private readonly pool = Buffer.allocUnsafe(POOL_BYTES);
  private hex = '';
  private at = 0;

  /** `fill` puts random bytes into the pool (tests give their own). */
  constructor(private readonly fill: (pool: Buffer) => void = randomFillSync) {}

  generateTraceId(): string {
    let id = this.take(32);
    while (id === ZERO_TRACE_ID) id = this.take(32);
    return id;
  }

  generateSpanId(): string {
    let id = this.take(16);
    while (id === ZERO_SPAN_ID) id = this.take(16);
    return id;
  }

  /** The next `chars` hex digits of the pool. */
  private take(chars: number): string {
    if (this.at + chars > this.hex.length) {
      this.fill(this.pool);
      this.hex = this.pool.toString('hex');
      this.at = 0;
    }
    const id = this.hex.slice(this.at, this.at + chars);
    this.at += chars;
    return id;
  }
}
