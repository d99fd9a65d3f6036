// The package as an application gets it: `npm pack`, then `npm install` of the tarball into a scratch
// application that already runs the OpenTelemetry NodeSDK, once on the 2.x line and once on 3.x,
// without the optional @opentelemetry/exporter-jaeger, and into one that installs the package alone.
// The package's SDK packages are peers: the application's own copies must serve it, one copy of each.
// Each application traces a message on every Node.js line of the matrix its SDK generation supports.
// Needs the npm registry (npm's cache makes reruns quick).
import assert from 'node:assert/strict';
import { copyFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test, type TestContext } from 'node:test';
import { buildSync } from 'esbuild';
import { envFor, nodeLines, packRepository, repoRoot, run, type NodeLine } from './npm';

/** OpenTelemetry JS 3.x declares Node >= 22.15 (2.x: >= 20.6), so its applications start at Node 22. */
const SDK3_OLDEST_MAJOR = 22;

/** The applications' own OpenTelemetry versions: deliberately not the ones this repository's lock file pins. */
const GENERATIONS = [
  { name: 'SDK 2.x', sdkTrace: '2.12.0', oldestMajor: 0, dependencies: { '@opentelemetry/api': '1.9.0', '@opentelemetry/sdk-node': '0.223.0', kafkajs: '2.2.4' } },
  { name: 'SDK 3.x', sdkTrace: '3.1.1', oldestMajor: SDK3_OLDEST_MAJOR, dependencies: { '@opentelemetry/api': '1.10.0', '@opentelemetry/sdk-node': '0.301.2', kafkajs: '2.2.4' } },
];
const appSources = join(__dirname, 'app');
let tarball = '';
let scratch = '';
let lines: NodeLine[] = [];

before(async () => {
  ({ dir: scratch, tarball } = packRepository());
  lines = await nodeLines();
});

/** The matrix's lines from `oldest` up; the first is the one an application's `npm install` runs on. */
function linesFrom(oldest: number, below = Infinity): NodeLine[] {
  const chosen = lines.filter((l) => l.major >= oldest && l.major < below);
  assert.ok(chosen.length, `no Node.js line of the matrix from ${oldest} (below ${below}): ${lines.map((l) => l.major).join(', ')}`);
  return chosen;
}

/** `npm install` run by `node`: npm picks each dependency's version by the engines that line satisfies. */
function install(name: string, dependencies: Record<string, string>, node: string): string {
  const app = join(scratch, name.replace(/\W+/g, '-'));
  run('mkdir', ['-p', app], scratch);
  const manifest = { name: 'scratch-app', version: '1.0.0', private: true, dependencies: { ...dependencies, 'kafkajs-tracing': `file:${tarball}` } };
  writeFileSync(join(app, 'package.json'), JSON.stringify(manifest, null, 2));
  for (const file of readdirSync(appSources)) copyFileSync(join(appSources, file), join(app, file));
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], app, envFor(node));
  return app;
}

/** Every installed copy of each @opentelemetry package, as `location@version`. */
function otelCopies(app: string): Map<string, string[]> {
  const nodes = JSON.parse(run('npm', ['query', '[name^="@opentelemetry/"]'], app).stdout) as { name: string; version: string; location: string }[];
  const byName = new Map<string, string[]>();
  for (const n of nodes) byName.set(n.name, [...(byName.get(n.name) ?? []), `${n.location}@${n.version}`]);
  return byName;
}

interface Outcome {
  how: string;
  spans: { name: string; traceId: string; spanId: string; parentSpanId?: string }[];
  traceparent: string;
  handled: number;
  traceUrl: string;
}

function checkTraced(outcome: Outcome, how: string): void {
  assert.equal(outcome.how, how);
  const send = outcome.spans.find((s) => s.name === 'send orders');
  const processSpan = outcome.spans.find((s) => s.name === 'process orders');
  assert.ok(send && processSpan, `${how}: both spans exported, got ${JSON.stringify(outcome.spans)}`);
  assert.equal(outcome.traceparent, `00-${send.traceId}-${send.spanId}-01`, `${how}: the message carries the send span`);
  assert.equal(processSpan.parentSpanId, send.spanId, `${how}: process is the child of send`);
  assert.equal(processSpan.traceId, send.traceId);
  assert.equal(outcome.handled, 1);
  assert.equal(outcome.traceUrl, 'http://jaeger/trace/abc', `${how}: the harness entry loaded`);
}

const lastLine = (stdout: string): Outcome => JSON.parse(stdout.trim().split('\n').pop() ?? '') as Outcome;

/** Runs a script of the scratch application on each line, one subtest per line, and checks its trace. */
async function tracesOnEachLine(t: TestContext, app: string, on: NodeLine[], script: string, how: string, env = process.env): Promise<void> {
  for (const { major, node } of on) {
    await t.test(`Node ${major}`, () => checkTraced(lastLine(run(node, [script], app, env).stdout), how));
  }
}

for (const generation of GENERATIONS) {
  describe(`beside an application on ${generation.name}`, () => {
    let app = '';
    let on: NodeLine[] = [];
    let oldest = '';
    before(() => {
      on = linesFrom(generation.oldestMajor);
      oldest = on[0]?.node ?? '';
      app = install(generation.name, generation.dependencies, oldest);
    });

    test('one copy of every OpenTelemetry package: the application’s SDK serves the package too', () => {
      const byName = otelCopies(app);
      const duplicated = [...byName].filter(([, copies]) => copies.length > 1);
      assert.deepEqual(duplicated, []);
      assert.deepEqual(byName.get('@opentelemetry/sdk-trace'), [`node_modules/@opentelemetry/sdk-trace@${generation.sdkTrace}`]);
      assert.equal(byName.has('@opentelemetry/exporter-jaeger'), false, 'the optional peer is not installed');
    });

    test('require() of every entry traces a message, on every line the SDK supports', (t) => tracesOnEachLine(t, app, on, 'load.cjs', 'cjs'));

    test('import of every entry traces a message, on every line the SDK supports', (t) => tracesOnEachLine(t, app, on, 'load.mjs', 'esm'));

    test('an application bundled with esbuild traces a message, on every line the SDK supports', (t) => {
      buildSync({ absWorkingDir: app, entryPoints: ['load.mjs'], bundle: true, platform: 'node', format: 'cjs', outfile: 'bundle.cjs', logLevel: 'error' });
      return tracesOnEachLine(t, app, on, 'bundle.cjs', 'bundle', { ...process.env, LOADED_AS: 'bundle' });
    });

    test('TypeScript resolves the types of every entry for ES modules and CommonJS (node16 resolution)', () => {
      const tsconfig = {
        compilerOptions: { module: 'node16', moduleResolution: 'node16', target: 'es2022', strict: true, noEmit: true, skipLibCheck: true, types: [] },
        files: ['types.mts', 'types.cts'],
      };
      writeFileSync(join(app, 'tsconfig.json'), JSON.stringify(tsconfig));
      run(process.execPath, [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], app);
      // The check can fail: a name an entry does not export is an error.
      writeFileSync(join(app, 'wrong.mts'), "import { startTracing } from 'kafkajs-tracing';\nexport const x = startTracing;\n");
      writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ ...tsconfig, files: ['wrong.mts'] }));
      assert.throws(() => run(process.execPath, [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], app), /has no exported member named 'startTracing'|has no exported member 'startTracing'/);
    });

    test('the installed root entry loads @opentelemetry/api and nothing else from node_modules', () => {
      const probe =
        "require('kafkajs-tracing'); const names = Object.keys(require.cache).map((k) => (k.match(/node_modules\\/((?:@[^/]+\\/)?[^/]+)/) || [])[1]);" +
        ' console.log(JSON.stringify([...new Set(names.filter(Boolean))].sort()))';
      assert.deepEqual(JSON.parse(run(oldest, ['-e', probe], app).stdout), ['@opentelemetry/api', 'kafkajs-tracing']);
    });

    test("the drop-in entry, on the application's own @opentelemetry/instrumentation (sdk-node's), patches kafkajs on require", () => {
      const script =
        "const { registerInstrumentations } = require('@opentelemetry/instrumentation');" +
        " const { KafkaTracingInstrumentation } = require('kafkajs-tracing/instrumentation');" +
        ' registerInstrumentations({ instrumentations: [new KafkaTracingInstrumentation()] });' +
        " const { Kafka } = require('kafkajs');" +
        " const producer = new Kafka({ brokers: ['127.0.0.1:1'] }).producer();" +
        " console.log(producer[Symbol.for('kafkajs-tracing.instrumented')] === true);";
      assert.equal(lastLine(run(process.execPath, ['-e', script], app).stdout), true);
    });

    test('the Jaeger agent path without @opentelemetry/exporter-jaeger says what to install', () => {
      const script = "require('kafkajs-tracing/setup').startTracing({ register: false, jaeger: { agentHost: '127.0.0.1' } })";
      assert.throws(() => run(oldest, ['-e', script], app), /needs @opentelemetry\/exporter-jaeger.*npm install @opentelemetry\/exporter-jaeger@\^2/s);
      // The collector path needs nothing extra.
      run(oldest, ['-e', "require('kafkajs-tracing/setup').startTracing({ register: false }).shutdown()"], app);
    });
  });
}

// `npm i kafkajs-tracing` and nothing else: the dependency ranges take both SDK generations, and npm
// prefers, of the versions in range, those whose engines accept the Node.js running it. Below Node 22.15
// that is 2.x, so the package installed alone works on Node 20 too; from 22.15 it is 3.x.
const ALONE = [
  { name: 'below Node 22', from: 0, below: SDK3_OLDEST_MAJOR, sdkMajor: 2 },
  { name: 'from Node 22', from: SDK3_OLDEST_MAJOR, below: Infinity, sdkMajor: 3 },
];
for (const alone of ALONE) {
  describe(`installed alone, ${alone.name}`, () => {
    let app = '';
    let on: NodeLine[] = [];
    before(() => {
      on = linesFrom(alone.from, alone.below);
      app = install(`alone ${alone.name}`, {}, on[0]?.node ?? '');
    });

    test(`npm picks the SDK ${alone.sdkMajor}.x line, one copy of each package`, () => {
      const byName = otelCopies(app);
      assert.deepEqual([...byName].filter(([, copies]) => copies.length > 1), []);
      assert.match(byName.get('@opentelemetry/sdk-trace')?.[0] ?? 'missing', new RegExp(`^node_modules/@opentelemetry/sdk-trace@${alone.sdkMajor}\\.`));
    });

    test('require() of every entry traces a message on each of these lines', (t) => tracesOnEachLine(t, app, on, 'load.cjs', 'cjs'));

    test('import of every entry traces a message on each of these lines', (t) => tracesOnEachLine(t, app, on, 'load.mjs', 'esm'));
  });
}
