import { randomFillSync } from 'node:crypto';
import type { IdGenerator } from '@opentelemetry/sdk-trace';

const POOL_BYTES = 4096;

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
  /** Next unused byte of the pool; its hex digits start at twice this. */
  private at = POOL_BYTES;
  /**
   * The last trace id's four 32-bit words XOR-ed together, read from its bytes: what a ratio
   * sampler compares (see `ratioBound`), without reading the id's 32 characters back.
   */
  lastTraceIdFold = 0;

  /** `fill` puts random bytes into the pool (tests give their own). */
  constructor(private readonly fill: (pool: Buffer) => void = randomFillSync) {}

  generateTraceId(): string {
    for (;;) {
      const at = this.reserve(16);
      const pool = this.pool;
      const a = pool.readUInt32BE(at);
      const b = pool.readUInt32BE(at + 4);
      const c = pool.readUInt32BE(at + 8);
      const d = pool.readUInt32BE(at + 12);
      if ((a | b | c | d) === 0) continue;
      this.lastTraceIdFold = (a ^ b ^ c ^ d) >>> 0;
      return this.hex.slice(at * 2, at * 2 + 32);
    }
  }

  generateSpanId(): string {
    for (;;) {
      const at = this.reserve(8);
      if ((this.pool.readUInt32BE(at) | this.pool.readUInt32BE(at + 4)) === 0) continue;
      return this.hex.slice(at * 2, at * 2 + 16);
    }
  }

  /** The offset of `bytes` fresh bytes of the pool, refilled when too few are left. */
  private reserve(bytes: number): number {
    if (this.at + bytes > POOL_BYTES) {
      this.fill(this.pool);
      this.hex = this.pool.toString('hex');
      this.at = 0;
    }
    const at = this.at;
    this.at += bytes;
    return at;
  }
}
