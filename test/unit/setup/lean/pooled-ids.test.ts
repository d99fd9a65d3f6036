// Ids of the lean path: W3C's format, never all zeros, and no repeats across pool refills.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PooledIdGenerator } from '../../../../src/setup/lean/pooled-ids';

describe('PooledIdGenerator', () => {
  it('makes lowercase hex ids of 16 and 8 bytes, distinct across several pool refills', () => {
    const ids = new PooledIdGenerator();
    const seen = new Set<string>();
    for (let i = 0; i < 3000; i++) {
      const t = ids.generateTraceId();
      const s = ids.generateSpanId();
      assert.match(t, /^[0-9a-f]{32}$/);
      assert.match(s, /^[0-9a-f]{16}$/);
      assert.notEqual(t, '0'.repeat(32));
      seen.add(t);
      seen.add(s);
    }
    assert.equal(seen.size, 6000, 'no id twice (the pool is refilled, not reused)');
  });

  it('draws again instead of handing out an all-zero id', () => {
    // A random source whose first pool starts with 16 zero bytes: an all-zero trace id, then span id.
    let fills = 0;
    const ids = new PooledIdGenerator((pool) => {
      for (let i = 0; i < pool.length; i++) pool[i] = i < 24 ? 0 : (i * 7 + fills) & 0xff;
      fills++;
    });
    const traceId = ids.generateTraceId();
    assert.notEqual(traceId, '0'.repeat(32));
    const bytes = (from: number, to: number) => Buffer.from(Array.from({ length: to - from }, (_, k) => ((from + k) * 7) & 0xff)).toString('hex');
    assert.equal(traceId, `${'0'.repeat(16)}${bytes(24, 32)}`, 'the next 16 bytes: 8 zero, 8 not');
    assert.equal(ids.generateSpanId(), bytes(32, 40));
    const zeroSpan = new PooledIdGenerator((pool) => pool.fill(0, 0, 8).fill(1, 8));
    assert.equal(zeroSpan.generateSpanId(), '01'.repeat(8));
  });
});
