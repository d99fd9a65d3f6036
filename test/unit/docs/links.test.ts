// Every link of README.md and docs/*.md that stays inside the repository resolves: a relative file
// exists, and an #anchor names a heading of the file it points into (as GitHub makes anchors). Links
// into docs/api/ (generated) are checked against a fresh build by api-reference.test.ts; links to
// other sites are not fetched.
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { anchors, documentationFiles, links, read, root } from './markdown';

describe('documentation links', () => {
  const files = documentationFiles();

  it('finds the documentation', () => {
    assert.ok(files.length >= 10, `files: ${files.map((f) => relative(root, f)).join(', ')}`);
  });

  for (const file of files) {
    it(`${relative(root, file)}: every relative link and anchor resolves`, () => {
      const broken: string[] = [];
      for (const { target, line } of links(read(file))) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
        const [path = '', anchor] = target.split('#');
        const into = path === '' ? file : join(dirname(file), decodeURIComponent(path));
        if (relative(join(root, 'docs', 'api'), into).startsWith('..') === false) continue;
        if (!existsSync(into)) {
          broken.push(`line ${line}: ${target} (no such file)`);
          continue;
        }
        if (anchor !== undefined && !(statSync(into).isFile() && into.endsWith('.md') && anchors(read(into)).has(anchor))) {
          broken.push(`line ${line}: ${target} (no heading #${anchor} in ${relative(root, into)})`);
        }
      }
      assert.deepEqual(broken, []);
    });
  }
});
