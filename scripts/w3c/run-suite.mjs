// The W3C Trace Context test suite (the `test/` folder of w3c/trace-context, a Python harness) against
// a service under test. The suite comes from W3C_TRACE_CONTEXT_SOURCE (a .tar.gz of that folder; CI
// points at ../shared/vendor/), else the vendored copy next to the checkout, else the pinned commit
// from GitHub; Python's `aiohttp` goes into a virtual environment under .cache/w3c/.
//
//   node scripts/w3c/run-suite.mjs http://127.0.0.1:5000/test     run it against a running service
//   node scripts/w3c/run-suite.mjs 5000                            the same, by port (POST /test on 127.0.0.1)
//   import { runSuite } from './run-suite.mjs'                     (test/integration/w3c-trace-context.test.ts)
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const COMMIT = 'acab820be9db7b3433668baa5cdd43f57f4c4be0';
const ARCHIVE = 'w3c-trace-context-test-acab820.tar.gz';
const AIOHTTP = 'aiohttp==3.14.5';
const cache = join(root, '.cache', 'w3c');
const suiteDir = join(cache, `suite-${COMMIT.slice(0, 7)}`);
const venv = join(cache, 'venv');

const say = (m) => process.stderr.write(`w3c-suite: ${m}\n`);

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...options });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stdout ?? ''}${r.stderr ?? r.error ?? ''}`);
  return r.stdout;
}

/** The archive's sha256 must match the .sha256 file beside it, when there is one. */
function checkSha(archive) {
  const file = `${archive}.sha256`;
  if (!existsSync(file)) return;
  const want = readFileSync(file, 'utf8').trim().split(/\s+/)[0];
  const got = createHash('sha256').update(readFileSync(archive)).digest('hex');
  if (want !== got) throw new Error(`${archive}: sha256 ${got}, expected ${want} (${file})`);
}

/**
 * The vendored archive in ../shared/vendor/ beside the checkout. From a linked worktree (git worktree add)
 * that folder sits beside the main checkout instead, so look there too.
 */
function vendored() {
  const roots = [root];
  const common = spawnSync('git', ['rev-parse', '--path-format=absolute', '--git-common-dir'], { cwd: root, encoding: 'utf8' });
  if (common.status === 0 && common.stdout.trim()) roots.push(dirname(common.stdout.trim()));
  return roots.map((r) => join(r, '..', 'shared', 'vendor', ARCHIVE)).find((f) => existsSync(f));
}

/** Unpacks the suite once into .cache/w3c/; returns the folder holding test.py. */
function suite() {
  const testPy = join(suiteDir, 'test', 'test.py');
  if (existsSync(testPy)) return dirname(testPy);
  mkdirSync(cache, { recursive: true });
  let archive = process.env.W3C_TRACE_CONTEXT_SOURCE || vendored();
  if (archive) {
    if (!existsSync(archive)) throw new Error(`W3C_TRACE_CONTEXT_SOURCE=${archive}: no such file`);
    checkSha(archive);
  } else {
    archive = join(cache, `trace-context-${COMMIT}.tar.gz`);
    say(`downloading w3c/trace-context at ${COMMIT}`);
    run('curl', ['-fsSL', '--retry', '3', '-o', archive, `https://codeload.github.com/w3c/trace-context/tar.gz/${COMMIT}`]);
  }
  // Unpacked aside and renamed into place, so an interrupted run never leaves a half suite to reuse.
  const tmp = `${suiteDir}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    run('tar', ['-xzf', archive, '-C', tmp]);
    // The vendored copy holds w3c-trace-context-acab820/test/, GitHub's archive trace-context-<commit>/test/.
    const top = readdirSync(tmp).find((d) => existsSync(join(tmp, d, 'test', 'test.py')));
    if (!top) throw new Error(`${archive}: no test/test.py inside`);
    renameSync(join(tmp, top), suiteDir);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return join(suiteDir, 'test');
}

/** The virtual environment's python with aiohttp, made once. */
function python() {
  const bin = join(venv, 'bin', 'python');
  const marker = join(venv, '.kafkajs-tracing-ready');
  if (existsSync(marker) && readFileSync(marker, 'utf8') === AIOHTTP) return bin;
  rmSync(venv, { recursive: true, force: true });
  mkdirSync(cache, { recursive: true });
  say(`creating ${venv} with ${AIOHTTP}`);
  run('python3', ['-m', 'venv', venv]);
  run(bin, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', AIOHTTP]);
  writeFileSync(marker, AIOHTTP);
  return bin;
}

/** A free TCP port on 127.0.0.1 for the harness's callback server. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Runs the suite against the service: `endpoint` (its POST URL), or `servicePort` for
 * http://127.0.0.1:<port>/test. Resolves to the number of tests run, the names of those that failed
 * or errored, those skipped, and the harness's whole output.
 */
export async function runSuite({ servicePort, endpoint: given, strict = 2, spec = 2, timeoutSeconds = 5 }) {
  if (given === undefined && servicePort === undefined) throw new Error('runSuite: give servicePort or endpoint');
  const endpoint = given ?? `http://127.0.0.1:${servicePort}/test`;
  const dir = suite();
  const bin = python();
  const port = await freePort();
  const env = {
    ...process.env,
    SERVICE_ENDPOINT: endpoint,
    STRICT_LEVEL: String(strict),
    SPEC_LEVEL: String(spec),
    HARNESS_HOST: '127.0.0.1',
    HARNESS_PORT: String(port),
    HARNESS_TIMEOUT: String(timeoutSeconds),
  };
  const { stdout, stderr } = await new Promise((resolve, reject) => {
    const out = [];
    const err = [];
    const child = spawn(bin, ['test.py', endpoint], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    child.once('error', reject);
    child.on('close', () => resolve({ stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
  });
  // unittest reports on stderr; the harness's own prints (levels, listening address) go to stdout.
  const output = `${stdout}${stderr}`;
  const ran = Number(/^Ran (\d+) tests?/m.exec(stderr)?.[1] ?? 0);
  const failures = [...stderr.matchAll(/^(test_\w+) \([\w.]+\)(?:\n.*)? \.\.\. (FAIL|ERROR)$/gm)].map((m) => m[1]);
  // A test that fails on an exception before its verdict line shows up only in the summary.
  for (const m of stderr.matchAll(/^(?:FAIL|ERROR): (test_\w+) /gm)) if (!failures.includes(m[1])) failures.push(m[1]);
  const skipped = [...stderr.matchAll(/^(test_\w+) \([\w.]+\)(?:\n.*)? \.\.\. skipped/gm)].map((m) => m[1]);
  return { ran, failures, skipped, output };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const target = process.argv[2];
  if (!target) {
    say('usage: node scripts/w3c/run-suite.mjs <service endpoint | port>');
    process.exit(2);
  }
  const byPort = /^\d+$/.test(target);
  const { ran, failures, skipped, output } = await runSuite({
    ...(byPort ? { servicePort: Number(target) } : { endpoint: target }),
    strict: Number(process.env.STRICT_LEVEL ?? 2),
    spec: Number(process.env.SPEC_LEVEL ?? 2),
  });
  process.stdout.write(output);
  console.log(`\n${ran} run, ${failures.length} failed${failures.length ? `: ${failures.join(', ')}` : ''}, ${skipped.length} skipped`);
  process.exit(failures.length || ran === 0 ? 1 : 0);
}
