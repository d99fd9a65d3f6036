// `npm test`: type-check, lint, unit tests, then integration tests against the real Kafka broker and
// the real Jaeger (started by scripts/infra.sh when not running, and stopped again if this run started them).
//
//   node scripts/test.mjs                 everything
//   node scripts/test.mjs --unit          type-check, lint and unit tests only (no infrastructure)
//   node scripts/test.mjs --integration   integration tests only
//   node scripts/test.mjs <file...>       just these test files (infra started if any is an integration test)
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const only = (flag) => args.includes(flag);
const files = args.filter((a) => !a.startsWith('--'));

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

function run(label, cmd, cmdArgs, env = process.env) {
  console.log(`\n== ${label}`);
  const res = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit', env });
  return res.status ?? 1;
}

const unitFiles = files.length ? files.filter((f) => !f.includes('integration')) : findTests(join(root, 'test/unit'));
const integrationFiles = files.length
  ? files.filter((f) => f.includes('integration'))
  : findTests(join(root, 'test/integration'));
const doUnit = !only('--integration');
const doIntegration = !only('--unit');
const nodeTest = ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1'];

let status = 0;
if (doUnit && !files.length) {
  status ||= run('type-check (tsc --noEmit)', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
  status ||= run('lint (eslint)', 'npx', ['eslint', '.']);
}
if (status === 0 && doUnit && unitFiles.length) {
  status = run(`unit tests (${unitFiles.length} files)`, process.execPath, [...nodeTest, ...unitFiles]);
}

if (status === 0 && doIntegration && integrationFiles.length) {
  const infra = (cmd) => spawnSync('bash', [join(root, 'scripts/infra.sh'), cmd], { cwd: root, stdio: 'inherit' }).status;
  // The Go and Java peers of the polyglot tests build (or find their cache) while the infrastructure starts.
  const peers = new Promise((resolve) => {
    spawn('bash', [join(root, 'scripts/peers/build.sh')], { cwd: root, stdio: 'inherit' }).on('close', resolve);
  });
  const wasRunning = spawnSync('bash', [join(root, 'scripts/infra.sh'), 'status'], { cwd: root, stdio: 'ignore' }).status === 0;
  if ((!wasRunning && infra('up') !== 0) || (await peers) !== 0) {
    console.error('\nintegration tests need Kafka, Jaeger and the peer services; scripts/infra.sh up or scripts/peers/build.sh failed (see the message above).');
    infra('down');
    process.exit(1);
  }
  const stop = () => {
    if (!wasRunning) infra('down');
  };
  process.on('SIGINT', () => {
    stop();
    process.exit(130);
  });
  try {
    status = run(`integration tests against the real Kafka and Jaeger (${integrationFiles.length} files)`, process.execPath, [
      ...nodeTest,
      ...integrationFiles,
    ]);
  } finally {
    stop();
  }
}
process.exit(status);
