// Runs the order-pipeline example as users run it (separate processes, real Kafka, real Jaeger).
// run.ts checks both chains with expectChain itself; here we check it succeeded and printed them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { JaegerQuery, expectChain, waitForTrace } from '../../../src/harness/index';
import { JAEGER_QUERY_URL } from '../../support/env';

describe('examples/order-pipeline', () => {
  it('runs end to end and prints both traces with their Jaeger URLs', async () => {
    const root = join(__dirname, '..', '..', '..');
    const res = spawnSync(process.execPath, ['--import', 'tsx', 'examples/order-pipeline/run.ts'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 120000,
    });
    assert.equal(res.status, 0, `run.ts failed:\n${res.stdout}\n${res.stderr}`);
    const urls = [...res.stdout.matchAll(/Jaeger: (\S+\/trace\/([0-9a-f]{32}))/g)];
    assert.equal(urls.length, 2, res.stdout);
    assert.match(res.stdout, /send orders\.dlq/);
    // The printed ids are real traces in Jaeger, with the services the example names.
    const jaeger = new JaegerQuery(JAEGER_QUERY_URL);
    const good = await waitForTrace(jaeger, urls[0]?.[2] as string, { minSpans: 7 });
    expectChain(good, [
      { name: 'send orders', service: 'checkout' },
      { name: 'process orders', service: 'payments' },
      { name: 'send payments', service: 'payments' },
      { name: 'process payments', service: 'notifications' },
    ]);
    const poison = await waitForTrace(jaeger, urls[1]?.[2] as string, { minSpans: 7 });
    assert.equal(poison.spans.filter((s) => s.name === 'charge card' && s.error).length, 3);
    const dlq = poison.spans.find((s) => s.name === 'send orders.dlq');
    assert.ok(dlq && dlq.links.length === 1, 'the dead-letter send links to the replaced (stale) context');
  });
});
