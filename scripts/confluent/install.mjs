// Confluent's client (@confluentinc/kafka-javascript) for this repository's tests, demo and benchmarks,
// installed on demand into .cache/ instead of by the root `npm ci`. It is a native addon: its install
// downloads a prebuilt binary or, where that cannot be reached, compiles librdkafka (about 90 s, needing
// the -dev packages of build-deps.sh). In the root install that would make a plain `npm ci` fail on such
// machines, and the addon would load only on the Node.js line that ran `npm ci`.
//
// Here the version is pinned by this directory's package.json and package-lock.json, fetched once
// without scripts (.cache/confluent/package/, its type declarations copied to .cache/confluent/types/
// for `tsc`), and built once per Node.js ABI (.cache/confluent/<version>-node<abi>-<platform>-<arch>-
// <lock hash>/) against that line's own headers. A finished build is marked ready; later calls return at once.
// Each step holds `<dir>.lock` while it works, so processes started together share one build.
//
//   node scripts/confluent/install.mjs               for this Node.js; prints the directory for NODE_PATH
//   node scripts/confluent/install.mjs --node=22,26  for those lines (scripts/node-versions.mjs)
//   node scripts/confluent/install.mjs --types       only the type declarations (for tsc; no build)
//   node scripts/confluent/install.mjs --exec <node arguments>   runs this Node.js with the client on NODE_PATH
//   import { confluentModules, confluentTypes } from './scripts/confluent/install.mjs'
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, cpSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeBinary } from '../node-versions.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '..', '..');
const cacheDir = join(root, '.cache', 'confluent');
const logDir = join(root, '.cache', 'logs');
const PACKAGE = '@confluentinc/kafka-javascript';
const lock = readFileSync(join(here, 'package-lock.json'));
const lockHash = createHash('sha256').update(readFileSync(join(here, 'package.json'))).update(lock).digest('hex').slice(0, 10);
const version = JSON.parse(lock.toString()).packages[`node_modules/${PACKAGE}`].version;
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** The fetched, unbuilt package: the source every build starts from. */
const PACKAGE_DIR = join(cacheDir, 'package');
/**
 * Its type declarations alone (fixed path: tsconfig.json maps the package name here for `tsc`). No
 * JavaScript in it, so that tsx, which follows the same mapping at run time, finds nothing there and
 * resolves the package as Node.js does (NODE_PATH: the build for the running line).
 */
export const TYPES_DIR = join(cacheDir, 'types');

const say = (msg) => process.stderr.write(`confluent: ${msg}\n`);

/** Runs a command with its output in a log file; resolves to its exit code. */
function run(cmd, args, { cwd, env, log }) {
  return new Promise((resolve) => {
    const fd = openSync(log, 'a');
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', fd, fd] });
    child.on('error', (err) => {
      writeFileSync(log, `${err}\n`, { flag: 'a' });
      resolve(1);
    });
    child.on('close', (code) => {
      closeSync(fd);
      resolve(code ?? 1);
    });
  });
}

function tail(log, lines = 40) {
  const text = existsSync(log) ? readFileSync(log, 'utf8').trimEnd().split('\n') : [];
  return text.slice(-lines).join('\n');
}

/** Installs a directory's content under `final` atomically: a run that stops half way leaves nothing behind. */
function publish(tmp, final) {
  rmSync(final, { recursive: true, force: true });
  renameSync(tmp, final);
}

/** Whether the process that made a lock directory still runs (a lock just made has no pid yet: alive). */
function holderAlive(lock) {
  let pid;
  try {
    pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
  } catch {
    try {
      return Date.now() - statSync(lock).mtimeMs < 10000;
    } catch {
      return true; // gone meanwhile: the next mkdir tells
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err?.code === 'EPERM';
  }
}

/**
 * Runs `work` unless `done()` holds, holding `<dir>.lock`: two processes started together (a demo and a
 * test run) do not build the same directory twice, nor replace it under each other; the second waits, then
 * finds it done. The lock of a process that died is taken over.
 */
async function exclusively(dir, done, work) {
  if (done()) return;
  mkdirSync(dirname(dir), { recursive: true });
  const lock = `${dir}.lock`;
  for (let told = false; ; ) {
    try {
      mkdirSync(lock);
      break;
    } catch (err) {
      if (err?.code !== 'EEXIST') throw err;
    }
    if (!holderAlive(lock)) {
      rmSync(lock, { recursive: true, force: true });
      continue;
    }
    if (!told) say(`waiting for another process preparing ${dir}`);
    told = true;
    await new Promise((r) => setTimeout(r, 1000));
  }
  try {
    writeFileSync(join(lock, 'pid'), String(process.pid));
    if (!done()) await work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

const stamped = (dir) => {
  const stamp = join(dir, '.lock-hash');
  return existsSync(stamp) && readFileSync(stamp, 'utf8') === lockHash;
};

let fetching;
/** The package and its dependencies from the lock file, without install scripts (no build). */
function confluentPackage() {
  fetching ??= exclusively(PACKAGE_DIR, () => stamped(PACKAGE_DIR), async () => {
    mkdirSync(logDir, { recursive: true });
    const tmp = `${PACKAGE_DIR}.tmp-${process.pid}`;
    const log = join(logDir, 'confluent-fetch.log');
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    for (const f of ['package.json', 'package-lock.json']) cpSync(join(here, f), join(tmp, f));
    writeFileSync(log, '');
    const code = await run(npm, ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: tmp, env: process.env, log });
    if (code !== 0) {
      rmSync(tmp, { recursive: true, force: true });
      throw new Error(`fetching ${PACKAGE} ${version} failed (npm ci, exit ${code}; log ${log}):\n${tail(log)}`);
    }
    writeFileSync(join(tmp, '.lock-hash'), lockHash);
    publish(tmp, PACKAGE_DIR);
  }).then(() => PACKAGE_DIR);
  return fetching;
}

/** The package's type declarations in TYPES_DIR (fetched first when missing); resolves to that directory. */
export async function confluentTypes() {
  if (stamped(TYPES_DIR)) return TYPES_DIR;
  const pkg = join(await confluentPackage(), 'node_modules', PACKAGE);
  await exclusively(TYPES_DIR, () => stamped(TYPES_DIR), async () => {
    const tmp = `${TYPES_DIR}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    cpSync(join(pkg, 'index.d.ts'), join(tmp, 'index.d.ts'));
    cpSync(join(pkg, 'types'), join(tmp, 'types'), { recursive: true });
    writeFileSync(join(tmp, 'package.json'), `${JSON.stringify({ name: PACKAGE, version, types: 'index.d.ts' }, null, 2)}\n`);
    writeFileSync(join(tmp, '.lock-hash'), lockHash);
    publish(tmp, TYPES_DIR);
  });
  return TYPES_DIR;
}

let depsChecked;
/** The compiler and -dev packages a build from source needs (installed with apt-get when missing). */
function buildDeps() {
  depsChecked ??= (async () => {
    const log = join(logDir, 'confluent-build-deps.log');
    writeFileSync(log, '');
    const code = await run('bash', [join(here, 'build-deps.sh')], { cwd: root, env: process.env, log });
    // A prebuilt binary may still be downloadable; the build says what it misses if not.
    if (code !== 0) say(`build-deps.sh failed (exit ${code}), building anyway:\n${tail(log, 10)}`);
  })();
  return depsChecked;
}

/** What a Node.js binary is: its version and module ABI (asked only when it is not this process). */
async function describeNode(node) {
  if (node === process.execPath) return { version: process.version, abi: process.versions.modules };
  const out = [];
  const code = await new Promise((resolve) => {
    const child = spawn(node, ['-p', 'process.version + " " + process.versions.modules'], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.on('data', (d) => out.push(d));
    child.on('error', () => resolve(1));
    child.on('close', (c) => resolve(c ?? 1));
  });
  const [v, abi] = Buffer.concat(out).toString().trim().split(' ');
  if (code !== 0 || !abi) throw new Error(`cannot run ${node}`);
  return { version: v, abi };
}

/**
 * The headers node-gyp compiles against: the line's own (`include/node` next to its binary, as in the
 * official tarballs, the `node-<platform>-<arch>` packages and distribution packages). Without them
 * node-gyp would download them from nodejs.org, or use whatever `nodedir` the user's npm config names.
 */
function nodeDir(node) {
  const prefix = dirname(dirname(node));
  return existsSync(join(prefix, 'include', 'node', 'node_version.h')) ? prefix : undefined;
}

const building = new Map();
/**
 * Confluent's client built for the given Node.js binary (this process's by default); resolves to the
 * `node_modules` directory to put on NODE_PATH. Builds at most once per ABI, then costs a file check.
 */
export function confluentModules(node = process.execPath) {
  let job = building.get(node);
  if (!job) {
    job = buildFor(node);
    building.set(node, job);
  }
  return job;
}

async function buildFor(node) {
  const { version: nodeVersion, abi } = await describeNode(node);
  const dir = join(cacheDir, `${version}-node${abi}-${process.platform}-${process.arch}-${lockHash}`);
  const modules = join(dir, 'node_modules');
  const ready = () => existsSync(join(dir, '.ready'));
  if (ready()) return modules;
  const base = await confluentPackage();
  await exclusively(dir, ready, () => build(node, nodeVersion, abi, base, dir));
  return modules;
}

async function build(node, nodeVersion, abi, base, dir) {
  mkdirSync(logDir, { recursive: true });
  await buildDeps();
  const started = Date.now();
  const log = join(logDir, `confluent-build-node${abi}.log`);
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  cpSync(base, tmp, { recursive: true, verbatimSymlinks: true });
  writeFileSync(log, '');
  say(`building ${PACKAGE} ${version} for Node.js ${nodeVersion} (ABI ${abi}): about 90 s when librdkafka is compiled; log ${log}`);
  const headers = nodeDir(node);
  const args = ['rebuild', '--foreground-scripts', '--no-audit', '--no-fund'];
  if (headers) args.push(`--nodedir=${headers}`);
  const env = {
    ...process.env,
    // The line's own node first on PATH: npm (a `#!/usr/bin/env node` script) and the install scripts
    // it runs then execute on it, so node-pre-gyp fetches or builds for that line's ABI.
    PATH: `${dirname(node)}${delimiter}${process.env.PATH ?? ''}`,
    // Link librdkafka against the system's libraries: the default static build downloads their sources.
    CKJS_LINKING: 'dynamic',
  };
  delete env.NODE_PATH;
  const code = await run(npm, args, { cwd: tmp, env, log });
  if (code === 0) prune(join(tmp, 'node_modules', PACKAGE));
  const loads = code === 0 && (await run(node, ['-e', `require(${JSON.stringify(join(tmp, 'node_modules', PACKAGE))})`], { cwd: tmp, env, log })) === 0;
  if (!loads) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`building ${PACKAGE} ${version} for Node.js ${nodeVersion} failed (log ${log}):\n${tail(log)}`);
  }
  writeFileSync(join(tmp, '.ready'), `${nodeVersion}\n`);
  publish(tmp, dir);
  say(`built for Node.js ${nodeVersion} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

/**
 * Drops what only the build needed (librdkafka's sources and objects, static archives: ~200 of ~290 MB).
 * The addon loads librdkafka.so from build/deps/ next to it; the load check after this proves it.
 */
function prune(pkg) {
  for (const p of [join(pkg, 'deps', 'librdkafka'), join(pkg, 'build', 'Release', 'obj.target')]) rmSync(p, { recursive: true, force: true });
  for (const a of ['librdkafka.a', 'librdkafka-static.a', 'librdkafka++.a']) rmSync(join(pkg, 'build', 'deps', a), { force: true });
}

/** NODE_PATH with Confluent's client for `node` in front of what `env` already has. */
export async function confluentNodePath(node = process.execPath, env = process.env) {
  const modules = await confluentModules(node);
  return [modules, ...(env.NODE_PATH ? [env.NODE_PATH] : [])].join(delimiter);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const nodeFlag = args.find((a) => a.startsWith('--node='));
  try {
    if (args[0] === '--exec') {
      const env = { ...process.env, NODE_PATH: await confluentNodePath() };
      const child = spawn(process.execPath, args.slice(1), { stdio: 'inherit', env });
      for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
      child.on('close', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
    } else if (args.includes('--types')) {
      console.log(await confluentTypes());
    } else if (nodeFlag) {
      const majors = nodeFlag.slice('--node='.length).split(',').map(Number);
      const nodes = await Promise.all(majors.map(nodeBinary));
      if (nodes.some((n) => !n)) process.exit(1);
      for (const modules of await Promise.all(nodes.map((n) => confluentModules(n)))) console.log(modules);
    } else {
      console.log(await confluentModules());
    }
  } catch (err) {
    say(err instanceof Error ? err.message : String(err));
    process.exit(1);
  }
}
