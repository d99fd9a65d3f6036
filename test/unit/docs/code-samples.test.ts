// Every ```ts block of README.md and docs/*.md compiles against the package, so a renamed option or
// export breaks this test before it breaks a reader. Each block is an ES module of its own (top-level
// await allowed), checked with the project's tsconfig plus paths that send `kafkajs-tracing` and its
// subpaths (from package.json's exports) to src/.
//
// Markers, an HTML comment on the line just before the opening fence (invisible on GitHub):
//   <!-- ts-check prelude: declare const traceId: string; -->  compiled in front of the block: the
//       context a deliberate fragment assumes (declarations, imports), kept out of the reader's way;
//   <!-- ts-check: skip -->  not compiled (a placeholder for an API not in the code yet).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';
import { codeBlocks, documentationFiles, read, root } from './markdown';

interface Sample {
  id: string;
  /** The Markdown file the block is in. */
  markdown: string;
  file: string;
  source: string;
  /** Lines of prelude before the block's first line in `source`. */
  offset: number;
  /** Line of the block's first code line in the Markdown file. */
  line: number;
}

function samples(): { compiled: Sample[]; skipped: string[] } {
  const compiled: Sample[] = [];
  const skipped: string[] = [];
  for (const md of documentationFiles()) {
    codeBlocks(read(md)).forEach((block, n) => {
      if (block.lang !== 'ts' && block.lang !== 'typescript') return;
      if (block.marker === 'ts-check: skip') return void skipped.push(`${relative(root, md)}:${block.line}`);
      const prelude = block.marker?.startsWith('ts-check prelude:') ? `${block.marker.slice('ts-check prelude:'.length).trim()}\n` : '';
      const id = `${basename(md, '.md')}-${n}`;
      compiled.push({
        id,
        markdown: md,
        file: join(root, '.doc-samples', `${id}.mts`),
        source: `${prelude}${block.code}\nexport {};\n`,
        offset: prelude === '' ? 0 : prelude.split('\n').length - 1,
        line: block.line,
      });
    });
  }
  return { compiled, skipped };
}

/** The project's compiler options, plus paths for the package's own name. */
function compilerOptions(): ts.CompilerOptions {
  const configPath = join(root, 'tsconfig.json');
  const config = ts.readConfigFile(configPath, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; exports: Record<string, string | { require: { default: string } }> };
  // An ES module resolves no directory index: a paths entry naming a folder (Confluent's copied
  // declarations) gets its index.d.ts spelled out.
  const paths: Record<string, string[]> = Object.fromEntries(
    Object.entries(parsed.options.paths ?? {}).map(([name, targets]) => [name, targets.map((t) => (ts.sys.directoryExists(join(root, t)) ? `${t}/index.d.ts` : t))]),
  );
  for (const [name, target] of Object.entries(pkg.exports)) {
    if (typeof target === 'string') continue;
    paths[name === '.' ? pkg.name : `${pkg.name}/${name.slice(2)}`] = [`./${target.require.default.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts')}`];
  }
  return { ...parsed.options, paths, noEmit: true, declaration: false, sourceMap: false, noUnusedLocals: false };
}

describe('code samples in README.md and docs/', () => {
  const { compiled, skipped } = samples();

  it('finds the samples (and few skipped ones)', () => {
    assert.ok(compiled.length >= 10, `compiled ${compiled.length}`);
    assert.ok(skipped.length <= 3, `skipped: ${skipped.join(', ')}`);
  });

  it('every ts block type-checks against the package', () => {
    const byPath = new Map(compiled.map((s) => [s.file, s]));
    const options = compilerOptions();
    const host = ts.createCompilerHost(options);
    const getSourceFile = host.getSourceFile.bind(host);
    host.getSourceFile = (fileName, language, ...rest) => {
      const sample = byPath.get(fileName);
      return sample ? ts.createSourceFile(fileName, sample.source, language) : getSourceFile(fileName, language, ...rest);
    };
    const fileExists = host.fileExists.bind(host);
    host.fileExists = (fileName) => byPath.has(fileName) || fileExists(fileName);
    const readFile = host.readFile.bind(host);
    host.readFile = (fileName) => byPath.get(fileName)?.source ?? readFile(fileName);
    // Ambient declarations the project's own type-check uses for untyped codecs (kafkajs-snappy, lz4js).
    const ambient = ['kafkajs-snappy.d.ts', 'lz4js.d.ts'].map((f) => join(root, 'test', 'support', f));
    const program = ts.createProgram([...byPath.keys(), ...ambient], options, host);
    const problems = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file === undefined || byPath.has(d.file.fileName))
      .map((d) => {
        const sample = d.file && byPath.get(d.file.fileName);
        const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
        if (!sample || !d.file || d.start === undefined) return text;
        const { line } = d.file.getLineAndCharacterOfPosition(d.start);
        const where = line < sample.offset ? `${sample.id} (prelude)` : `${relative(root, sample.markdown)}:${sample.line + line - sample.offset}`;
        return `${where}: ${text}`;
      });
    assert.deepEqual(problems, []);
  });
});
