// What loading each entry point costs a fresh process: modules loaded and milliseconds to load them
// (median of ROUNDS fresh processes, CommonJS require of the built package, as most services run it).
// Run: npm run bench:import-cost   (or: node --import tsx bench/import-cost.ts [package folder])
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROUNDS = Number(process.env.ROUNDS ?? 9);
const pkg = resolve(process.argv[2] ?? join(__dirname, '..'));

/** Entry points as an application names them, and the built file behind each (if the build has it). */
const ENTRIES: [string, string][] = [
  ['kafkajs-tracing', 'dist/index.js'],
  ['kafkajs-tracing/setup', 'dist/setup/index.js'],
  ['kafkajs-tracing/harness', 'dist/harness/index.js'],
];

// Runs in the child: times the require, counts every module it added (files under node_modules and the package's own).
const PROBE = `
const before = new Set(Object.keys(require.cache));
const t0 = process.hrtime.bigint();
require(process.argv[1]);
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
const added = Object.keys(require.cache).filter((k) => !before.has(k));
const packages = new Set(added.map((k) => (k.match(/node_modules\\/((?:@[^/]+\\/)?[^/]+)/) || [])[1]).filter(Boolean));
console.log(JSON.stringify({ ms, modules: added.length, packages: [...packages].sort() }));
`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

const rows: Record<string, string | number>[] = [];
for (const [name, file] of ENTRIES) {
  const path = join(pkg, file);
  if (!existsSync(path)) continue;
  const runs: { ms: number; modules: number; packages: string[] }[] = [];
  for (let i = 0; i < ROUNDS; i++) runs.push(JSON.parse(execFileSync(process.execPath, ['-e', PROBE, path], { encoding: 'utf8' })));
  const last = runs[runs.length - 1] as { packages: string[] };
  rows.push({
    entry: name,
    modules: median(runs.map((r) => r.modules)),
    'ms (median)': +median(runs.map((r) => r.ms)).toFixed(1),
    packages: last.packages.length,
    'SDK, exporter or Thrift packages': last.packages.filter((p) => /sdk|exporter|thrift|jaeger|protobuf|grpc|opentracing|core|resources/.test(p)).map((p) => p.replace('@opentelemetry/', '')).join(' ') || '—',
  });
}
console.log(`import cost, ${pkg}, Node ${process.version}, median of ${ROUNDS} fresh processes`);
console.table(rows);
