// The public API as an application sees it: every name an entry point in package.json exports has
// TSDoc, and none is marked @internal (internal helpers stay behind the entry points). Members of
// exported interfaces are checked too: they are the options tables users read in their editor.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';

const root = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, string | { require: { default: string } }> };

/** src/ file behind each entry: ./dist/harness/index.js → src/harness/index.ts. */
const entries = Object.entries(pkg.exports).flatMap(([name, target]) =>
  typeof target === 'string' ? [] : [[name, join(root, target.require.default.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts'))] as const],
);

const program = ts.createProgram(
  entries.map(([, file]) => file),
  { strict: true, module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16, target: ts.ScriptTarget.ES2022, noEmit: true, skipLibCheck: true },
);
const checker = program.getTypeChecker();

function describe(symbol: ts.Symbol): { docs: string; internal: boolean } {
  const docs = ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim();
  const internal = symbol.getJsDocTags(checker).some((t) => t.name === 'internal');
  return { docs, internal };
}

function publicSymbols(): { where: string; symbol: ts.Symbol }[] {
  const out: { where: string; symbol: ts.Symbol }[] = [];
  for (const [entry, file] of entries) {
    const source = program.getSourceFile(file);
    assert.ok(source, `${file} is in the program`);
    const moduleSymbol = checker.getSymbolAtLocation(source);
    assert.ok(moduleSymbol, `${file} is a module`);
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const where = `${entry === '.' ? 'kafkajs-tracing' : `kafkajs-tracing/${entry.slice(2)}`}: ${exported.name}`;
      out.push({ where, symbol });
      if (symbol.flags & ts.SymbolFlags.Interface) {
        for (const member of checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(symbol))) {
          // Members inherited from other packages (e.g. @opentelemetry/api types) are documented there.
          const own = member.declarations?.some((d) => d.getSourceFile().fileName.startsWith(join(root, 'src')));
          if (own) out.push({ where: `${where}.${member.name}`, symbol: member });
        }
      }
    }
  }
  return out;
}

const symbols = publicSymbols();

test('the entry points export something (the check below is not vacuous)', () => {
  assert.ok(entries.length >= 2);
  assert.ok(symbols.some((s) => s.where === 'kafkajs-tracing: instrumentProducer'));
  assert.ok(symbols.some((s) => s.where === 'kafkajs-tracing/harness: expectChain'));
});

test('every public export has TSDoc', () => {
  const undocumented = symbols.filter((s) => describe(s.symbol).docs === '').map((s) => s.where);
  assert.deepEqual(undocumented, []);
});

test('nothing marked @internal is exported from an entry point', () => {
  const internal = symbols.filter((s) => describe(s.symbol).internal).map((s) => s.where);
  assert.deepEqual(internal, []);
});
