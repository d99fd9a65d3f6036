// The W3C Trace Context test suite itself (w3c/trace-context's Python harness, pinned at acab820) at
// its strictest, STRICT_LEVEL=2 and SPEC_LEVEL=2, against the propagation startTracing sets up: over
// HTTP headers and over Kafka headers through the middleware (test/w3c/service.ts). The control, with
// @opentelemetry/core's propagators in their place, must fail: it proves the suite can.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

interface SuiteResult {
  ran: number;
  failures: string[];
  skipped: string[];
  output: string;
}
const root = join(__dirname, '..', '..');

/** scripts/w3c/run-suite.mjs, a plain ESM script (it sets up the suite's Python environment on first use). */
async function suite(options: { endpoint: string; strict: number; spec: number }): Promise<SuiteResult> {
  const { runSuite } = (await import(pathToFileURL(join(root, 'scripts', 'w3c', 'run-suite.mjs')).href)) as { runSuite: (o: typeof options) => Promise<SuiteResult> };
  return runSuite(options);
}
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) c.kill();
});

/** Starts the service under test in its own process (fresh globals each) and resolves to its endpoint. */
async function service(...args: string[]): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/w3c/service.ts', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  for await (const line of lines) {
    const { port } = JSON.parse(line) as { port: number };
    return `http://127.0.0.1:${port}/test`;
  }
  throw new Error(`the W3C service (${args.join(' ')}) exited before listening`);
}

describe('W3C Trace Context test suite, STRICT_LEVEL=2 SPEC_LEVEL=2', () => {
  for (const carrier of ['http', 'kafka']) {
    it(`passes every test on the ${carrier} carrier`, async () => {
      const r = await suite({ endpoint: await service(`--carrier=${carrier}`), strict: 2, spec: 2 });
      assert.ok(r.ran >= 41, `the whole suite ran (${r.ran} tests)\n${r.output}`);
      assert.deepEqual(r.skipped, [], 'nothing skipped at the strictest levels');
      assert.deepEqual(r.failures, [], r.output);
    });
  }

  it("the control: @opentelemetry/core's propagators fail the strict tracestate tests", async () => {
    const r = await suite({ endpoint: await service('--carrier=kafka', '--negative'), strict: 2, spec: 2 });
    assert.ok(r.ran >= 41, r.output);
    for (const name of ['test_tracestate_member_count_limit', 'test_tracestate_value_illegal_characters', 'test_traceparent_duplicated']) {
      assert.ok(r.failures.includes(name), `${name} fails for core\n${r.output}`);
    }
  });
});
