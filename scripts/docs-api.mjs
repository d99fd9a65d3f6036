// `npm run docs:api`: the API reference, generated from the TSDoc by TypeDoc as Markdown
// (typedoc-plugin-markdown) into docs/api/ (git-ignored; test/unit/docs/api-reference.test.ts builds it
// in the suite). Entry points come from package.json's "exports", so a new entry point is documented
// without touching this file. Any TypeDoc warning fails the build.
//
//   node scripts/docs-api.mjs [--out <dir>] [--json <file>]
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Application, LogLevel } from 'typedoc';

const root = fileURLToPath(new URL('..', import.meta.url));
const OTEL_INSTRUMENTATION_SOURCE = 'https://github.com/open-telemetry/opentelemetry-js/tree/main/experimental/packages/opentelemetry-instrumentation';
const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

/** The src/ file behind each entry point: ./dist/setup/index.js → src/setup/index.ts. */
export function entryPoints() {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  return Object.entries(pkg.exports)
    .filter(([, target]) => typeof target === 'object')
    .map(([name, target]) => ({
      name: name === '.' ? pkg.name : `${pkg.name}/${name.slice(2)}`,
      file: join(root, target.require.default.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts')),
    }));
}

export async function buildApiDocs({ out = join(root, 'docs', 'api'), json } = {}) {
  const entries = entryPoints();
  const app = await Application.bootstrapWithPlugins({
    entryPoints: entries.map((e) => e.file),
    tsconfig: join(root, 'tsconfig.build.json'),
    plugin: ['typedoc-plugin-markdown'],
    out,
    readme: 'none',
    name: 'kafkajs-tracing',
    disableSources: true, // no line numbers: the reference changes only when the API or its TSDoc does
    excludePrivate: true,
    excludeInternal: true,
    treatWarningsAsErrors: true,
    logLevel: LogLevel.Warn,
    validation: { notExported: true, invalidLink: true, notDocumented: false },
    // KafkaTracingInstrumentation inherits getModuleDefinitions' comment from @opentelemetry/instrumentation,
    // which links to that package's own types: send those links to its source instead of failing on them.
    externalSymbolLinkMappings: {
      '@opentelemetry/instrumentation': {
        'InstrumentationAbstract.init': OTEL_INSTRUMENTATION_SOURCE,
        InstrumentationModuleDefinition: OTEL_INSTRUMENTATION_SOURCE,
      },
    },
    ...(json ? { json } : {}),
  });
  const project = await app.convert();
  if (!project) throw new Error('TypeDoc could not convert the entry points (see the messages above)');
  // TypeDoc names a module by its folder under src/ ("setup", and "index" for the root); the reference
  // names it by the import path instead ("kafkajs-tracing/setup").
  const byModuleName = new Map(entries.map((e) => [relative(join(root, 'src'), e.file).replace(/(^|\/)index\.ts$/, '') || 'index', e.name]));
  for (const child of project.children ?? []) child.name = byModuleName.get(child.name) ?? child.name;
  app.validate(project);
  if (app.logger.hasErrors() || app.logger.hasWarnings()) throw new Error('TypeDoc reported warnings (see above)');
  await app.generateOutputs(project);
  if (app.logger.hasErrors() || app.logger.hasWarnings()) throw new Error('TypeDoc reported warnings while rendering (see above)');
  return { project, out };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  buildApiDocs({ out: flag('--out'), json: flag('--json') }).then(
    ({ out }) => console.log(`API reference written to ${out}`),
    (err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
