// Runs npm and node for the package checks; the scratch folders live outside the repository.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';

export const repoRoot = join(__dirname, '..', '..');
const npmBin = process.platform === 'win32' ? 'npm.cmd' : 'npm';

export function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): { stdout: string; stderr: string } {
  const res = spawnSync(cmd === 'npm' ? npmBin : cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (res.status !== 0) throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) exited ${res.status}:\n${res.stdout}\n${res.stderr}`);
  return { stdout: res.stdout, stderr: res.stderr };
}

/**
 * `npm pack` of this repository (its `prepare` script builds dist/ first) into a fresh scratch
 * folder, or with `dryRun` only the list of what it would hold.
 */
export function packRepository(dryRun = false): { dir: string; tarball: string; files: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'kafkajs-tracing-pack-'));
  const { stdout } = run('npm', ['pack', '--json', '--pack-destination', dir, '--loglevel=error', ...(dryRun ? ['--dry-run'] : [])], repoRoot);
  const [info] = JSON.parse(stdout.slice(stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
  if (!info) throw new Error(`npm pack printed no package: ${stdout}`);
  return { dir, tarball: join(dir, info.filename), files: info.files.map((f) => f.path) };
}

/** A Node.js line the tests run on (scripts/node-versions.mjs) and its binary. */
export interface NodeLine {
  major: number;
  node: string;
}

/** Every line of the unit matrix, installed into .cache/node/ when missing (the machine's own as it is). */
export async function nodeLines(): Promise<NodeLine[]> {
  const versions = (await import(join(repoRoot, 'scripts', 'node-versions.mjs'))) as {
    UNIT_MAJORS: number[];
    nodeBinary: (major: number) => Promise<string | undefined>;
  };
  return Promise.all(
    versions.UNIT_MAJORS.map(async (major) => {
      const node = await versions.nodeBinary(major);
      if (!node) throw new Error(`no Node.js ${major} binary (see the message above)`);
      return { major, node };
    }),
  );
}

/** An environment whose `node` is this binary: npm (a `#!/usr/bin/env node` script) then runs on that line. */
export function envFor(node: string, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...env, PATH: [dirname(node), env.PATH].filter(Boolean).join(delimiter) };
}
