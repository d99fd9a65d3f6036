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
    const ids = new PooledIdGenerator();
    const pool = (ids as unknown as { pool: Buffer }).pool;
    ids.generateSpanId(); // fills the pool
    pool.fill(0, 8, 16);
    const id = ids.generateSpanId();
    assert.notEqual(id, '0'.repeat(16));
    assert.equal(id, pool.toString('hex', 16, 24));
  });
});
