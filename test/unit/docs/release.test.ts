// What a registry page and an upgrading user read: package.json names the repository, home page and
// issue tracker, the changelog has a section for the version package.json carries, and its breaking
// changes come first, each with what to do.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { root } from './markdown';

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  version: string;
  repository?: { url?: string };
  homepage?: string;
  bugs?: { url?: string };
  keywords?: string[];
  files?: string[];
};
const changelog = readFileSync(join(root, 'CHANGELOG.md'), 'utf8');

test('package.json carries what a registry page needs', () => {
  assert.match(pkg.repository?.url ?? '', /^git\+https:\/\/github\.com\/[\w.-]+\/[\w.-]+\.git$/);
  const repo = (pkg.repository?.url ?? '').replace(/^git\+/, '').replace(/\.git$/, '');
  assert.equal(pkg.homepage, `${repo}#readme`);
  assert.equal(pkg.bugs?.url, `${repo}/issues`);
  assert.ok((pkg.keywords ?? []).length >= 5);
  assert.ok(pkg.files?.includes('CHANGELOG.md'), 'the changelog is packed');
});

test('the changelog has a section for package.json\'s version, breaking changes first, each with a migration', () => {
  const sections = changelog.split(/^## /m).slice(1);
  const current = sections.find((s) => s.startsWith(`${pkg.version} `) || s.startsWith(`${pkg.version}\n`));
  assert.ok(current, `a "## ${pkg.version}" section`);
  assert.equal(sections[0], current, 'the current version comes first');
  const subsections = current.split(/^### /m).slice(1);
  assert.match(subsections[0] ?? '', /^Breaking changes/, 'breaking changes first');
  const breaking = (subsections[0] ?? '').split(/^- /m).slice(1);
  assert.ok(breaking.length >= 3);
  for (const item of breaking) assert.match(item, /\*Migrate:\*|Nothing to change/, `a migration for: ${item.slice(0, 80)}`);
  assert.match(subsections[0] ?? '', /kafkajs-tracing\/setup/, 'the move of startTracing is listed');
});
