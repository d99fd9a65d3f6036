// The API reference (`npm run docs:api`: TypeDoc + typedoc-plugin-markdown from the TSDoc) builds without
// a single warning, and every public export of every entry point has its place in it. The export list
// is read from the entry points package.json names (their source, through the TypeScript checker, for
// type exports; and what Node loads from them at run time, for values), never written down here.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { before, describe, it } from 'node:test';
import ts from 'typescript';

const root = join(__dirname, '..', '..', '..');

interface Entry {
  name: string;
  file: string;
}
interface Reflection {
  name: string;
  children?: Reflection[];
}
interface DocsApi {
  entryPoints(): Entry[];
  buildApiDocs(options: { out: string; json?: string }): Promise<{ out: string }>;
}

function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? markdownFiles(path) : name.endsWith('.md') ? [path] : [];
  });
}

/** Names an entry point exports, types included: the checker's view of the module. */
function exportsOf(file: string): string[] {
  const program = ts.createProgram([file], { strict: true, module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16, target: ts.ScriptTarget.ES2022, noEmit: true, skipLibCheck: true });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  assert.ok(source, `${file} is in the program`);
  const moduleSymbol = checker.getSymbolAtLocation(source);
  assert.ok(moduleSymbol, `${file} is a module`);
  return checker.getExportsOfModule(moduleSymbol).map((s) => s.name);
}

describe('API reference', () => {
  let docs: DocsApi;
  let out = '';
  let project: Reflection;
  let entries: Entry[] = [];

  before(async () => {
    docs = (await import(join(root, 'scripts', 'docs-api.mjs'))) as DocsApi;
    entries = docs.entryPoints();
    const dir = mkdtempSync(join(tmpdir(), 'kafkajs-tracing-api-'));
    const json = join(dir, 'api.json');
    // Throws on any TypeDoc warning (treatWarningsAsErrors), so a successful build is a warning-free one.
    ({ out } = await docs.buildApiDocs({ out: join(dir, 'md'), json }));
    project = JSON.parse(readFileSync(json, 'utf8')) as Reflection;
  });

  it('documents one module per entry point of package.json', () => {
    assert.ok(entries.length >= 3, `entry points found: ${entries.map((e) => e.name).join(', ')}`);
    assert.deepEqual((project.children ?? []).map((m) => m.name).sort(), entries.map((e) => e.name).sort());
  });

  it('has every export of every entry point, in the model and in the Markdown', async () => {
    const pages = markdownFiles(out);
    const missing: string[] = [];
    for (const entry of entries) {
      const names = exportsOf(entry.file);
      // What Node loads from the entry at run time must be among them (no value export escapes the list).
      const loaded = Object.keys((await import(entry.file)) as object).filter((k) => k !== '__esModule' && k !== 'default');
      for (const name of loaded) assert.ok(names.includes(name), `${entry.name}: run-time export ${name} is known to the checker`);
      const module = project.children?.find((m) => m.name === entry.name);
      assert.ok(module, `a module for ${entry.name}`);
      // The module's index page links each export to a page of its own that exists.
      const index = join(out, entry.name, 'README.md');
      assert.ok(pages.includes(index), `an index page for ${entry.name}`);
      const links = new Map([...readFileSync(index, 'utf8').matchAll(/^- \[(.+?)\]\((.+?)\)$/gm)].map(([, label, target]) => [(label ?? '').replace(/\\(.)/g, '$1'), target ?? '']));
      for (const name of names) {
        if (!module.children?.some((c) => c.name === name)) missing.push(`${entry.name}: ${name} (model)`);
        const target = links.get(name);
        if (!target || !existsSync(join(index, '..', target))) missing.push(`${entry.name}: ${name} (Markdown page)`);
      }
    }
    assert.deepEqual(missing, [], `exports missing from the API reference:\n${missing.join('\n')}`);
  });

  it('resolves every link of README.md and docs/*.md into docs/api/ against the built reference', () => {
    const sources = [join(root, 'README.md'), ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join(root, 'docs', f))];
    const broken: string[] = [];
    for (const file of sources) {
      for (const [, target] of readFileSync(file, 'utf8').matchAll(/\]\(([^)#\s]*)(?:#[^)]*)?\)/g)) {
        const path = relative(join(root, 'docs', 'api'), join(file, '..', target ?? ''));
        if (path.startsWith('..') || !target) continue;
        if (!existsSync(join(out, path))) broken.push(`${relative(root, file)}: ${target}`);
      }
    }
    assert.deepEqual(broken, []);
  });
});
