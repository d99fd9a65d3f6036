// The metrics exporters and the B3 propagator are optional peers: a feature that needs one that is not
// installed gets nothing, with one diag error naming the install command, and the application goes on.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DiagLogLevel, diag } from '@opentelemetry/api';
import { optionalPeer } from '../../../src/setup/optional-peer';

describe('optional peers', () => {
  it('a missing package: undefined, one diag error with the install command', () => {
    const errors: string[] = [];
    diag.setLogger({ error: (m: string) => void errors.push(m), warn: () => undefined, info: () => undefined, debug: () => undefined, verbose: () => undefined }, DiagLogLevel.ERROR);
    try {
      const missing = () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        return require('@opentelemetry/not-a-package-kafkajs-tracing') as unknown;
      };
      assert.equal(optionalPeer('@opentelemetry/not-a-package-kafkajs-tracing', 'a test', missing), undefined);
      assert.equal(optionalPeer('@opentelemetry/not-a-package-kafkajs-tracing', 'a test', missing), undefined);
      assert.equal(errors.length, 1);
      assert.match(errors[0] as string, /npm install @opentelemetry\/not-a-package-kafkajs-tracing/);
    } finally {
      diag.disable();
    }
  });

  it('an installed one loads; another failure of the module is not hidden', () => {
    assert.equal(optionalPeer('x', 'a test', () => 42), 42);
    assert.throws(() => optionalPeer('x', 'a test', () => { throw new SyntaxError('broken module'); }), /broken module/);
  });
});
