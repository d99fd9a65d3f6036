// Runs the order-pipeline example as users run it (separate processes, real Kafka, real Jaeger).
// run.ts checks both chains with expectChain itself; here we check it succeeded and printed them, and
// that the chain crosses both clients: checkout on Confluent's, payments and notifications on kafkajs.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { JaegerQuery, expectChain, waitForTrace, type TraceView } from '../../../src/harness/index';
import { CLIENT_ATTRIBUTE } from '../../../examples/order-pipeline/config';
import { JAEGER_QUERY_URL } from '../../support/env';

/** The client each service of the trace says it ran on (its resource attribute, a process tag in Jaeger). */
function clientOf(trace: TraceView, service: string): unknown {
  const process = Object.values(trace.raw.processes).find((p) => p.serviceName === service);
  return process?.tags?.find((t) => t.key === CLIENT_ATTRIBUTE)?.value;
}

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
    // The demo says which client each service used.
    assert.match(res.stdout, /Clients: .*checkout: @confluentinc\/kafka-javascript \(librdkafka \d+\.\d+\.\d+\).*payments: kafkajs.*notifications: kafkajs/);
    // The printed ids are real traces in Jaeger, with the services the example names.
    const jaeger = new JaegerQuery(JAEGER_QUERY_URL);
    const good = await waitForTrace(jaeger, urls[0]?.[2] as string, { minSpans: 7 });
    expectChain(good, [
      { name: 'send orders', service: 'checkout' },
      { name: 'process orders', service: 'payments' },
      { name: 'send payments', service: 'payments' },
      { name: 'process payments', service: 'notifications' },
    ]);
    // A mixed chain: the first hop sent by Confluent's client (its librdkafka named by the loaded library), read by kafkajs.
    assert.match(String(clientOf(good, 'checkout')), /^@confluentinc\/kafka-javascript \(librdkafka \d+\.\d+\.\d+\)$/);
    assert.equal(clientOf(good, 'payments'), 'kafkajs');
    assert.equal(clientOf(good, 'notifications'), 'kafkajs');
    const poison = await waitForTrace(jaeger, urls[1]?.[2] as string, { minSpans: 7 });
    assert.equal(poison.spans.filter((s) => s.name === 'charge card' && s.error).length, 3);
    const dlq = poison.spans.find((s) => s.name === 'send orders.dlq');
    assert.ok(dlq && dlq.links.length === 1, 'the dead-letter send links to the replaced (stale) context');
  });
});
