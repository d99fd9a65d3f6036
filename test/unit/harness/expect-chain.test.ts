import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { expectChain, toTraceView } from '../../../src/harness/index';
import { pipelineTrace } from './fixture';

describe('expectChain', () => {
  it('matches the produce→consume chain hop by hop and returns the spans in order', () => {
    const trace = toTraceView(pipelineTrace());
    const spans = expectChain(trace, [
      { name: 'send orders', kind: 'producer', service: 'checkout' },
      'process orders',
      'send payments', // a grandchild of process orders (under charge card): descendants are accepted
      { name: 'process payments', service: 'notifications' },
    ]);
    assert.deepEqual(spans.map((s) => s.spanId), ['00000000000000a1', '00000000000000a2', '00000000000000a3', '00000000000000a4']);
  });

  it('fails when a consumer span is not the child of the producer hop before it', () => {
    const raw = pipelineTrace();
    const process = raw.spans.find((s) => s.operationName === 'process orders');
    (process as { references: unknown }).references = []; // broken propagation: a new root
    assert.throws(
      () => expectChain(toTraceView(raw), ['send orders', 'process orders']),
      (err: Error) => /none following "send orders"/.test(err.message) && /expected:/.test(err.message) && /actual:/.test(err.message),
    );
  });

  it('fails on a wrong service, and names a missing span', () => {
    const trace = toTraceView(pipelineTrace());
    assert.throws(() => expectChain(trace, [{ name: 'send orders', service: 'payments' }]), /none with that kind\/service/);
    assert.throws(() => expectChain(trace, ['send orders', 'process refunds']), /no span is named "process refunds"/);
  });

  it('accepts a link instead of a parent for untrusted consumers', () => {
    const raw = pipelineTrace();
    const process = raw.spans.find((s) => s.operationName === 'process orders');
    (process as { references: unknown }).references = [{ refType: 'FOLLOWS_FROM', traceID: raw.traceID, spanID: '00000000000000a1' }];
    const [send, proc] = expectChain(toTraceView(raw), ['send orders', 'process orders']);
    assert.equal(proc?.links[0]?.spanId, send?.spanId);
  });

  it('prints the expected chain beside the actual tree on failure', () => {
    const trace = toTraceView(pipelineTrace());
    try {
      expectChain(trace, ['send orders', 'process orders', 'send refunds']);
      assert.fail('should have thrown');
    } catch (err) {
      const message = (err as Error).message;
      assert.match(message, /✓ 1\. send orders/);
      assert.match(message, /✓ 2\. process orders/);
      assert.match(message, /✗ 3\. send refunds/);
      assert.match(message, /notifications\s+ {8}process payments/);
    }
  });
});
