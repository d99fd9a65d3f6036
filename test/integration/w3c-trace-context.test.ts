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
interface SuiteOptions {
  servicePort: number;
  strict: number;
  spec: number;
}
const root = join(__dirname, '..', '..');
// The first run unpacks the suite and pip-installs aiohttp into .cache/w3c/venv; later runs take ~1 s.
const TIMEOUT = 180_000;

/** scripts/w3c/run-suite.mjs, a plain ESM script. */
async function suite(options: SuiteOptions): Promise<SuiteResult> {
  const { runSuite } = (await import(pathToFileURL(join(root, 'scripts', 'w3c', 'run-suite.mjs')).href)) as { runSuite: (o: SuiteOptions) => Promise<SuiteResult> };
  return runSuite(options);
}

const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill();
});

/** Starts the service under test in its own process (fresh globals each) and resolves to its port. */
async function service(...args: string[]): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/w3c/service.ts', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  for await (const line of lines) return (JSON.parse(line) as { port: number }).port;
  throw new Error(`the W3C service (${args.join(' ')}) exited before listening`);
}

const summary = (r: SuiteResult): string => `${r.ran} ran, failed: ${r.failures.join(', ') || 'none'}\n${r.output}`;

describe('W3C Trace Context test suite, STRICT_LEVEL=2 SPEC_LEVEL=2', () => {
  for (const carrier of ['http', 'kafka']) {
    it(`passes every test on the ${carrier} carrier`, { timeout: TIMEOUT }, async () => {
      const r = await suite({ servicePort: await service(`--carrier=${carrier}`), strict: 2, spec: 2 });
      assert.ok(r.ran >= 41, `the whole suite ran: ${summary(r)}`);
      assert.deepEqual(r.skipped, [], `nothing skipped at the strictest levels: ${summary(r)}`);
      assert.deepEqual(r.failures, [], `failing on the ${carrier} carrier: ${summary(r)}`);
    });
  }

  for (const carrier of ['http', 'kafka']) {
    it(`the control: @opentelemetry/core's propagators fail it on the ${carrier} carrier`, { timeout: TIMEOUT }, async (t) => {
      const r = await suite({ servicePort: await service(`--carrier=${carrier}`, '--negative'), strict: 2, spec: 2 });
      assert.ok(r.ran >= 41, `the whole suite ran: ${summary(r)}`);
      assert.ok(r.failures.length >= 1, `core's propagators passed everything, so the suite proves nothing here: ${summary(r)}`);
      // The tests this package passes where core does not (several traceparent values, strict tracestate).
      for (const name of ['test_traceparent_duplicated', 'test_tracestate_member_count_limit', 'test_tracestate_value_illegal_characters']) {
        assert.ok(r.failures.includes(name), `${name} should fail for core: ${summary(r)}`);
      }
      t.diagnostic(`core fails: ${r.failures.join(', ')}`);
    });
  }
});
