// kafkajs-tracing/instrumentation over the real kafkajs module, each case in a fresh process (kafkajs
// is patched when first loaded): CommonJS through the require hook, ES modules through the loader hook,
// the explicit wrappers on top, disable(), and @opentelemetry/instrumentation-kafkajs in either order.
// The fixture sends to a port that refuses connections: the send fails at once, its span is recorded.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const root = join(__dirname, '..', '..', '..');
const fixtures = join(__dirname, 'fixtures');

interface Outcome {
  spans: { name: string; kind?: number; scope: string; attributes?: Record<string, unknown> }[];
  producerTraced: boolean;
  consumerTraced?: boolean;
  consumerRunForeign?: boolean;
  producerSendForeign?: boolean;
  laterTraced?: boolean;
  spansWhileDisabled?: number;
  prototypeWrapped?: boolean;
  warnings?: string[];
}

function run(args: string[]): Outcome {
  const out = execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return JSON.parse(out.trim().split('\n').pop() ?? '{}') as Outcome;
}
const cjs = (scenario: string) => run(['--import', 'tsx', join(fixtures, 'patched-clients.ts'), scenario]);

describe('KafkaTracingInstrumentation on the real kafkajs', () => {
  it('CommonJS: clients made by a patched Kafka are traced by the wrappers, with the same span', () => {
    const r = cjs('alone');
    assert.equal(r.producerTraced, true);
    assert.equal(r.consumerTraced, true);
    assert.equal(r.spans.length, 1);
    const [span] = r.spans;
    assert.equal(span?.name, 'send orders');
    assert.equal(span?.scope, 'kafkajs-tracing');
    assert.equal(span?.attributes?.['messaging.destination.name'], 'orders');
    assert.equal(span?.attributes?.['error.type'], 'KafkaJSError', 'the refused send is recorded as the wrappers record it');
    assert.deepEqual(r.warnings, []);
  });

  it('a client patched and also wrapped explicitly (traceKafka, instrumentProducer) is traced once', () => {
    const r = cjs('explicit-too');
    assert.equal(r.spans.length, 1);
    assert.equal(r.spans[0]?.scope, 'kafkajs-tracing');
  });

  it('disable() restores the prototype, and clients made while enabled pass through until enable()', () => {
    const r = cjs('disabled');
    assert.equal(r.producerTraced, true, 'made while enabled');
    assert.equal(r.laterTraced, false, 'made after disable()');
    assert.equal(r.spansWhileDisabled, 0, 'a send while disabled makes no span');
    assert.deepEqual(r.spans.map((s) => s.name), ['send orders'], 'traced again once enabled');
  });

  it('ES modules: `import` of kafkajs is patched through the loader hook (module.register of hook.mjs)', () => {
    const r = run(['--import', 'tsx', '--import', join(fixtures, 'esm-setup.mjs'), join(fixtures, 'esm-app.mjs')]);
    assert.equal(r.producerTraced, true);
    assert.deepEqual(r.spans, [{ name: 'send orders', scope: 'kafkajs-tracing' }]);
  });

  it("NestJS (ES modules): the clients its Kafka transport makes from its own import('kafkajs') are patched through the loader hook", () => {
    const r = run(['--import', 'tsx', '--import', join(fixtures, 'esm-setup.mjs'), join(fixtures, 'nest-esm-app.mjs')]);
    assert.equal(r.producerTraced, true, "ClientKafka's producer");
    assert.equal(r.consumerTraced, true, "ServerKafka's consumer");
  });

  describe('beside @opentelemetry/instrumentation-kafkajs: the one registered last traces, never both', () => {
    it('registered after it: this one traces, its wrappers come off the client, one diag warning', () => {
      const r = cjs('theirs-first');
      assert.deepEqual(r.spans.map((s) => s.scope), ['kafkajs-tracing']);
      assert.equal(r.producerSendForeign, false);
      assert.equal(r.consumerRunForeign, false);
      assert.equal(r.warnings?.length, 1);
      assert.match(r.warnings?.[0] ?? '', /instrumentation-kafkajs.*registered before this one/);
    });

    it('registered before it: it traces and this one steps aside, one diag warning', () => {
      const r = cjs('ours-first');
      assert.deepEqual(r.spans.map((s) => s.scope), ['@opentelemetry/instrumentation-kafkajs']);
      assert.equal(r.producerTraced, false);
      assert.equal(r.consumerTraced, false);
      assert.equal(r.warnings?.length, 1);
      assert.match(r.warnings?.[0] ?? '', /instrumentation-kafkajs.*registered after this one/);
    });
  });
});
