// `npm test`: type-check, lint, unit tests on Node 20, 22, 24 and 26, the package checks
// (pack, install into a scratch application, load as ESM/CJS/bundle), then the integration tests
// against the real Kafka broker and the real Jaeger on Node 22 and 26 (infrastructure started by
// scripts/infra.sh when not running, and stopped again if this run started it; Chromium and Prometheus
// installed from the distribution by scripts/system-deps.sh where missing).
//
//   node scripts/test.mjs                 everything
//   node scripts/test.mjs --unit          type-check, lint and unit tests only (no infrastructure; the network
//                                         only on first use, for the other Node lines and Confluent's type declarations)
//   node scripts/test.mjs --integration   integration tests only
//   node scripts/test.mjs --cluster       the cluster stage only: test/cluster/ against a 3-broker KRaft cluster and
//                                         the collector tier (infra.sh --brokers 3, scripts/collector-tier/tier.sh),
//                                         on ports of their own (19092.., 24317.., 26686..); it runs after the
//                                         integration tests in `npm test`, on this process's Node only
//   node scripts/test.mjs <file...>       just these test files (infra started if any is an integration test)
//   --node=26 (or --node=22,26)           these Node.js lines instead of the defaults (files: this process's own)
//
// The lines (scripts/node-versions.mjs) other than this process's own come from the npm registry into
// .cache/node/ on first use, and so does Confluent's client, built for each integration line
// (scripts/confluent/install.mjs).
// Independent steps run two at a time (the machines have two cores); each step's output is printed
// whole when it ends. Integration runs share the broker's ports, so they run one after another.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { delimiter, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { INTEGRATION_MAJORS, UNIT_MAJORS, nodeBinary } from './node-versions.mjs';
import { confluentModules, confluentTypes } from './confluent/install.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const only = (flag) => args.includes(flag);
const files = args.filter((a) => !a.startsWith('--'));
const nodeFlag = args.find((a) => a.startsWith('--node='));
const chosenMajors = nodeFlag ? nodeFlag.slice('--node='.length).split(',').map(Number) : undefined;
const ownMajor = Number(process.versions.node.split('.')[0]);

function findTests(dir) {
  const out = [];
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries.sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...findTests(path));
    else if (name.endsWith('.test.ts')) out.push(relative(root, path));
  }
  return out;
}

const kindOf = (f) =>
  f.includes('integration') ? 'integration' : f.includes(`test${'/'}package`) ? 'package' : f.includes(`test${'/'}cluster`) ? 'cluster' : 'unit';
const pick = (kind, dir) => (files.length ? files.filter((f) => kindOf(f) === kind) : findTests(join(root, dir)));
const unitFiles = pick('unit', 'test/unit');
const packageFiles = pick('package', 'test/package');
const integrationFiles = pick('integration', 'test/integration');
const clusterFiles = pick('cluster', 'test/cluster');
const onlyCluster = only('--cluster');
const doUnit = !only('--integration') && !onlyCluster;
const doPackage = !only('--integration') && !only('--unit') && !onlyCluster;
const doIntegration = !only('--unit') && !onlyCluster;
const doCluster = !only('--unit') && !only('--integration') && clusterFiles.length > 0;
const unitMajors = chosenMajors ?? (files.length ? [ownMajor] : UNIT_MAJORS);
const integrationMajors = chosenMajors ?? (files.length ? [ownMajor] : INTEGRATION_MAJORS);
const nodeTest = ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1'];
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

/** Runs a command with its output captured; resolves to { code, output }. */
function capture(cmd, cmdArgs, { live = false } = {}) {
  return new Promise((resolve) => {
    const chunks = [];
    const child = spawn(cmd, cmdArgs, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
    // live: also echo as it comes (long first-run builds print progress a person should see while waiting).
    const keep = (d) => {
      chunks.push(d);
      if (live) process.stderr.write(d);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (err) => resolve({ code: 1, output: String(err) }));
    child.on('close', (code) => resolve({ code: code ?? 1, output: Buffer.concat(chunks).toString() }));
  });
}

function unitJob(major) {
  return {
    label: `unit tests on Node ${major} (${unitFiles.length} files)`,
    async run() {
      const node = await nodeBinary(major);
      if (!node) return { code: 1, output: `Node ${major} could not be installed (see above)` };
      return capture(node, [...nodeTest, ...unitFiles]);
    },
  };
}

/** Runs jobs two at a time, printing each one's output whole when it ends. Resolves to the failures. */
async function runParallel(jobs, width = 2) {
  const failed = [];
  const queue = [...jobs];
  async function worker() {
    for (let job = queue.shift(); job; job = queue.shift()) {
      const started = Date.now();
      console.log(`-- started: ${job.label}`);
      const { code, output } = await job.run();
      const secs = ((Date.now() - started) / 1000).toFixed(1);
      console.log(`\n== ${job.label}: ${code === 0 ? 'passed' : `FAILED (exit ${code})`} in ${secs}s\n${output.trimEnd()}`);
      if (code !== 0) failed.push(job.label);
    }
  }
  await Promise.all(Array.from({ length: width }, worker));
  return failed;
}

const jobs = [];
if (doUnit && !files.length) {
  jobs.push({
    label: 'type-check (tsc --noEmit)',
    async run() {
      // tsconfig.json maps Confluent's package to its declarations in .cache/ (not in the root install).
      const types = await confluentTypes().then(() => undefined, (err) => ({ code: 1, output: String(err?.message ?? err) }));
      return types ?? capture(npx, ['tsc', '-p', 'tsconfig.json', '--noEmit']);
    },
  });
  jobs.push({ label: 'lint (eslint)', run: () => capture(npx, ['eslint', '.']) });
}
if (doUnit && unitFiles.length) for (const major of unitMajors) jobs.push(unitJob(major));
if (doPackage && packageFiles.length) {
  jobs.push({
    label: `package checks (${packageFiles.length} files)`,
    async run() {
      // The installed application traces on every unit line: fetched here first, so that this process and
      // the test process never install the same version into .cache/node/ at once.
      const missing = (await Promise.all(UNIT_MAJORS.map(nodeBinary))).some((node) => !node);
      return missing ? { code: 1, output: 'a Node.js line could not be installed (see above)' } : capture(process.execPath, [...nodeTest, ...packageFiles]);
    },
  });
}

const infra = (cmd) => spawnSync('bash', [join(root, 'scripts/infra.sh'), cmd], { cwd: root, stdio: 'inherit' }).status;
const integrating = doIntegration && integrationFiles.length > 0;
const wasRunning = integrating && spawnSync('bash', [join(root, 'scripts/infra.sh'), 'status'], { cwd: root, stdio: 'ignore' }).status === 0;
const stop = () => {
  if (integrating && !wasRunning) infra('down');
};
process.on('SIGINT', () => {
  stop();
  process.exit(130);
});
// Kafka and Jaeger start (or, on a fresh machine, build) while the checks above run: it is mostly
// waiting on the JVM, Maven or the Go compiler, and the integration tests need them right after.
const infraUp = integrating && !wasRunning ? capture('bash', [join(root, 'scripts/infra.sh'), 'up'], { live: true }) : undefined;
if (infraUp) console.log('-- started: Kafka and Jaeger (scripts/infra.sh up)');
// Confluent's client, a native addon, is built for each integration line at the same time (once: later
// runs find it in .cache/confluent/); the tests get it through NODE_PATH.
const confluentBuilt = new Map(
  integrating
    ? integrationMajors.map((major) => [major, nodeBinary(major).then((node) => (node ? confluentModules(node) : Promise.reject(new Error(`no Node ${major}`))))])
    : [],
);
for (const built of confluentBuilt.values()) built.catch(() => undefined); // reported where awaited
if (integrating) console.log(`-- started: Confluent's client for Node ${integrationMajors.join(', ')} (scripts/confluent/install.mjs)`);
// The Go and Java peers of the polyglot tests build (or find their cache) at the same time.
const peersBuilt = integrating ? capture('bash', [join(root, 'scripts/peers/build.sh')], { live: true }) : undefined;
if (peersBuilt) console.log('-- started: Go and Java peers (scripts/peers/build.sh)');
// Chromium and Prometheus from the distribution (the browser and metrics tests), where they are missing.
const systemDeps = integrating ? capture('bash', [join(root, 'scripts/system-deps.sh')], { live: true }) : undefined;
if (systemDeps) console.log('-- started: Chromium and Prometheus, if missing (scripts/system-deps.sh)');

let status = 0;
if (jobs.length) {
  const failed = await runParallel(jobs);
  if (failed.length) {
    console.error(`\nfailed: ${failed.join('; ')}`);
    status = 1;
  }
}

if (infraUp) {
  const { code, output } = await infraUp;
  // Its output was echoed live; repeated only when it failed, where the whole log matters.
  console.log(`\n== Kafka and Jaeger (scripts/infra.sh up): ${code === 0 ? 'ready' : `FAILED (exit ${code})\n${output.trimEnd()}`}`);
  if (code !== 0) {
    console.error('\nintegration tests need Kafka and Jaeger; scripts/infra.sh up failed (see the message above).');
    status ||= 1;
  }
}

if (peersBuilt) {
  const { code, output } = await peersBuilt;
  console.log(`\n== Go and Java peers (scripts/peers/build.sh): ${code === 0 ? 'ready' : `FAILED (exit ${code})\n${output.trimEnd()}`}`);
  if (code !== 0) {
    console.error('\nthe polyglot integration tests need the Go and Java peers; scripts/peers/build.sh failed (see the message above).');
    status ||= 1;
  }
}

if (systemDeps) {
  const { code, output } = await systemDeps;
  console.log(`\n== Chromium and Prometheus (scripts/system-deps.sh): ${code === 0 ? 'ready' : `FAILED (exit ${code})\n${output.trimEnd()}`}`);
  if (code !== 0) {
    console.error('\nthe browser and metrics integration tests need Chromium and Prometheus; scripts/system-deps.sh could not install them (see above).');
    status ||= 1;
  }
}

if (status === 0 && integrating) {
  const nodes = [];
  for (const major of integrationMajors) {
    const node = await nodeBinary(major);
    if (!node) {
      stop();
      process.exit(1);
    }
    nodes.push([major, node]);
  }
  try {
    for (const [major, node] of nodes) {
      if (status !== 0) break;
      let confluent;
      try {
        confluent = await confluentBuilt.get(major);
      } catch (err) {
        console.error(`\nConfluent's client could not be installed for Node ${major}: ${err instanceof Error ? err.message : String(err)}`);
        status = 1;
        break;
      }
      console.log(`\n== integration tests on Node ${major} against the real Kafka and Jaeger (${integrationFiles.length} files)`);
      const started = Date.now();
      const env = { ...process.env, NODE_PATH: [confluent, process.env.NODE_PATH].filter(Boolean).join(delimiter) };
      status = spawnSync(node, [...nodeTest, ...integrationFiles], { cwd: root, stdio: 'inherit', env }).status ?? 1;
      console.log(`== integration tests on Node ${major}: ${status === 0 ? 'passed' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    }
  } finally {
    stop();
  }
} else {
  stop();
}
if (status === 0 && doCluster) status = runClusterStage();
process.exit(status);

/**
 * The cluster stage: a 3-broker cluster and the collector tier, started here and stopped after (both on
 * ports of their own, so they never meet the single broker and Jaeger above), then test/cluster/.
 */
function runClusterStage() {
  const started = Date.now();
  const cluster = (cmd) => spawnSync('bash', [join(root, 'scripts/infra.sh'), '--brokers', '3', cmd], { cwd: root, stdio: 'inherit' }).status;
  const tierCmd = (cmd) => spawnSync('bash', [join(root, 'scripts/collector-tier/tier.sh'), cmd], { cwd: root, stdio: 'inherit' }).status;
  const clusterWasUp = spawnSync('bash', [join(root, 'scripts/infra.sh'), '--brokers', '3', 'status'], { cwd: root, stdio: 'ignore' }).status === 0;
  const tierWasUp = spawnSync('bash', [join(root, 'scripts/collector-tier/tier.sh'), 'status'], { cwd: root, stdio: 'ignore' }).status === 0;
  console.log(`\n== cluster stage: ${clusterFiles.length} files against a 3-broker cluster and the collector tier`);
  let code = 1;
  try {
    if (cluster('up') !== 0 || tierCmd('up') !== 0) {
      console.error('\nthe cluster stage needs the 3-broker cluster and the collector tier; they did not start (see above).');
      return 1;
    }
    // --test-force-exit: a kafkajs client whose broker was killed under it can leave a retry timer behind
    // after disconnect(), which would keep a finished test file's process alive.
    code = spawnSync(process.execPath, [...nodeTest, '--test-force-exit', ...clusterFiles], { cwd: root, stdio: 'inherit' }).status ?? 1;
  } finally {
    if (!tierWasUp) tierCmd('down');
    if (!clusterWasUp) cluster('down');
    console.log(`== cluster stage: ${code === 0 ? 'passed' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  }
  return code;
}
