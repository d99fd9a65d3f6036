// `npm run build`: a clean CommonJS build of src/ into dist/, then one ES module wrapper per entry in
// package.json's `exports` (dist/x.mjs re-exporting dist/x.js by name, with dist/x.d.mts types), so
// `import` and `require` get the same module instance: one copy of the middleware's state, never two.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
rmSync(join(root, 'dist'), { recursive: true, force: true });
const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const requireFromRoot = createRequire(join(root, 'package.json'));
for (const [entry, target] of Object.entries(pkg.exports)) {
  if (typeof target === 'string') continue; // ./package.json
  const cjs = target.require.default; // ./dist/index.js
  const esm = target.import.default; // ./dist/index.mjs
  const names = Object.keys(requireFromRoot(cjs)).filter((n) => n !== '__esModule' && n !== 'default');
  const from = `./${basename(cjs)}`;
  writeFileSync(
    join(root, esm),
    `// ES module face of ${from} (${entry}): the same instance, named exports.\nimport cjs from '${from}';\nexport const { ${names.join(', ')} } = cjs;\n`,
  );
  writeFileSync(join(root, target.import.types), `export * from '${from}';\n`);
}
