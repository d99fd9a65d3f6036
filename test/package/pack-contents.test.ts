// What `npm pack` puts in the package: the build, the CLI, the license, the README and the changelog; no tests,
// benchmarks, sources, caches or source maps pointing at files the package does not ship.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { packRepository, repoRoot } from './npm';

type ExportTarget = string | { import: { types: string; default: string }; require: { types: string; default: string } };
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { license: string; bin: Record<string, string>; exports: Record<string, ExportTarget> };
let files: string[] = [];

before(() => {
  files = packRepository(true).files;
});

test('only dist/, bin/, LICENSE, README.md, CHANGELOG.md and package.json are packed', () => {
  const stray = files.filter((f) => !/^(dist|bin)\//.test(f) && !['LICENSE', 'README.md', 'CHANGELOG.md', 'package.json'].includes(f));
  assert.deepEqual(stray, []);
  for (const forbidden of [/^test\//, /^bench\//, /^src\//, /^scripts\//, /^examples\//, /\.cache\//, /node_modules\//, /\.test\./, /\.tsbuildinfo$/]) {
    assert.deepEqual(files.filter((f) => forbidden.test(f)), [], `nothing matching ${forbidden}`);
  }
});

test('the license file is there and is the license package.json names', () => {
  assert.ok(files.includes('LICENSE') && files.includes('README.md'));
  assert.equal(pkg.license, 'Apache-2.0');
  assert.match(readFileSync(join(repoRoot, 'LICENSE'), 'utf8'), /Apache License\s+Version 2\.0, January 2004/);
});

test('every export target, type file and bin is packed', () => {
  const wanted = Object.values(pkg.bin);
  for (const target of Object.values(pkg.exports)) {
    if (typeof target === 'string') wanted.push(target);
    else wanted.push(target.import.types, target.import.default, target.require.types, target.require.default);
  }
  const missing = wanted.map((w) => w.replace(/^\.\//, '')).filter((w) => !files.includes(w));
  assert.deepEqual(missing, []);
});

test('no source map points at a file the package does not ship', () => {
  const dangling: string[] = [];
  for (const map of files.filter((f) => f.endsWith('.map'))) {
    const { sources } = JSON.parse(readFileSync(join(repoRoot, map), 'utf8')) as { sources: string[] };
    const dir = map.split('/').slice(0, -1);
    for (const source of sources) {
      const resolved = join(...dir, source).replace(/\\/g, '/');
      if (!files.includes(resolved)) dangling.push(`${map} → ${source}`);
    }
  }
  assert.deepEqual(dangling, []);
});
