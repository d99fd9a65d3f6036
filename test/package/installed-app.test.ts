// The package as an application gets it: `npm pack`, then `npm install` of the tarball into a scratch
// application that already runs the OpenTelemetry NodeSDK, once on the 2.x line and once on 3.x,
// without the optional @opentelemetry/exporter-jaeger. The package's SDK packages are peers: the
// application's own copies must serve it, one copy of each. Needs the npm registry (npm's cache makes
// reruns quick).
import assert from 'node:assert/strict';
import { copyFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { buildSync } from 'esbuild';
import { packRepository, repoRoot, run } from './npm';

/** The applications' own OpenTelemetry versions: deliberately not the ones this repository's lock file pins. */
const GENERATIONS = [
  { name: 'SDK 2.x', sdkTrace: '2.12.0', dependencies: { '@opentelemetry/api': '1.9.0', '@opentelemetry/sdk-node': '0.223.0', kafkajs: '2.2.4' } },
  { name: 'SDK 3.x', sdkTrace: '3.1.1', dependencies: { '@opentelemetry/api': '1.10.0', '@opentelemetry/sdk-node': '0.301.2', kafkajs: '2.2.4' } },
];
const appSources = join(__dirname, 'app');
let tarball = '';
let scratch = '';

before(() => {
  ({ dir: scratch, tarball } = packRepository());
});

function install(name: string, dependencies: Record<string, string>): string {
  const app = join(scratch, name.replace(/\W+/g, '-'));
  run('mkdir', ['-p', app], scratch);
  const manifest = { name: 'scratch-app', version: '1.0.0', private: true, dependencies: { ...dependencies, 'kafkajs-tracing': `file:${tarball}` } };
  writeFileSync(join(app, 'package.json'), JSON.stringify(manifest, null, 2));
  for (const file of readdirSync(appSources)) copyFileSync(join(appSources, file), join(app, file));
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], app);
  return app;
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

for (const generation of GENERATIONS) {
  describe(`beside an application on ${generation.name}`, () => {
    let app = '';
    before(() => {
      app = install(generation.name, generation.dependencies);
    });

    test('one copy of every OpenTelemetry package: the application’s SDK serves the package too', () => {
      const nodes = JSON.parse(run('npm', ['query', '[name^="@opentelemetry/"]'], app).stdout) as { name: string; version: string; location: string }[];
      const byName = new Map<string, string[]>();
      for (const n of nodes) byName.set(n.name, [...(byName.get(n.name) ?? []), `${n.location}@${n.version}`]);
      const duplicated = [...byName].filter(([, copies]) => copies.length > 1);
      assert.deepEqual(duplicated, []);
      assert.deepEqual(byName.get('@opentelemetry/sdk-trace'), [`node_modules/@opentelemetry/sdk-trace@${generation.sdkTrace}`]);
      assert.equal(byName.has('@opentelemetry/exporter-jaeger'), false, 'the optional peer is not installed');
    });

    test('require() of every entry traces a message', () => {
      checkTraced(lastLine(run(process.execPath, ['load.cjs'], app).stdout), 'cjs');
    });

    test('import of every entry traces a message', () => {
      checkTraced(lastLine(run(process.execPath, ['load.mjs'], app).stdout), 'esm');
    });

    test('an application bundled with esbuild traces a message', () => {
      buildSync({ absWorkingDir: app, entryPoints: ['load.mjs'], bundle: true, platform: 'node', format: 'cjs', outfile: 'bundle.cjs', logLevel: 'error' });
      checkTraced(lastLine(run(process.execPath, ['bundle.cjs'], app, { ...process.env, LOADED_AS: 'bundle' }).stdout), 'bundle');
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
      assert.deepEqual(JSON.parse(run(process.execPath, ['-e', probe], app).stdout), ['@opentelemetry/api', 'kafkajs-tracing']);
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
      assert.throws(() => run(process.execPath, ['-e', script], app), /needs @opentelemetry\/exporter-jaeger.*npm install @opentelemetry\/exporter-jaeger@\^2/s);
      // The collector path needs nothing extra.
      run(process.execPath, ['-e', "require('kafkajs-tracing/setup').startTracing({ register: false }).shutdown()"], app);
    });
  });
}
