// The root entry is the middleware alone: loading it, and instrumenting a producer and a consumer,
// loads @opentelemetry/api and nothing else from node_modules (no SDK, exporter, Thrift or protobuf
// module). Each case runs in a fresh process, since this process has long loaded the SDK.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const root = join(__dirname, '..', '..');

/** Packages (folders under node_modules) a fresh process has loaded after running `script`. */
function packagesLoadedBy(script: string): string[] {
  const probe = `
    ${script}
    const names = Object.keys(require.cache).map((k) => (k.match(/node_modules[\\\\/]((?:@[^\\\\/]+[\\\\/])?[^\\\\/]+)/) || [])[1]).filter(Boolean);
    console.log(JSON.stringify([...new Set(names.map((n) => n.replace(/\\\\/g, '/')))].sort()));
  `;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', probe], { cwd: root, encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop() ?? '[]') as string[];
}

// tsx itself (the test's TypeScript loader) and its helpers are not the package's doing.
const loaderPackages = new Set(['tsx', 'esbuild', 'get-tsconfig', 'resolve-pkg-maps']);
const own = (packages: string[]) => packages.filter((p) => !loaderPackages.has(p));

const stub = `
  const producer = { send: async () => [], sendBatch: async () => [], transaction: async () => producer };
  const consumer = { run: async () => undefined };
`;

describe('root entry: the middleware without the SDK', () => {
  it('importing it and instrumenting clients loads @opentelemetry/api only', () => {
    const loaded = own(
      packagesLoadedBy(`
        const m = require('./src/index.ts');
        ${stub}
        m.instrumentProducer(producer, {});
        m.instrumentConsumer(consumer, { groupId: 'g' });
        m.traceKafka({ producer: () => producer, consumer: () => consumer });
      `),
    );
    assert.deepEqual(loaded, ['@opentelemetry/api']);
  });

  it('a tracer provider passed without a registered propagator still loads nothing more (own W3C propagator)', () => {
    const loaded = own(
      packagesLoadedBy(`
        const { trace } = require('@opentelemetry/api');
        const m = require('./src/index.ts');
        ${stub}
        m.instrumentProducer(producer, { tracerProvider: trace.getTracerProvider() });
      `),
    );
    assert.deepEqual(loaded, ['@opentelemetry/api']);
  });

  it('the B3 propagator loads only when legacyFormats asks for it; Jaeger is the package’s own', () => {
    const loaded = own(packagesLoadedBy(`const m = require('./src/index.ts'); ${stub} m.instrumentConsumer(consumer, { legacyFormats: ['b3', 'jaeger'] });`));
    assert.ok(loaded.includes('@opentelemetry/propagator-b3'), loaded.join(' '));
    assert.ok(!loaded.includes('@opentelemetry/propagator-jaeger'), loaded.join(' '));
    const jaegerOnly = own(packagesLoadedBy(`const m = require('./src/index.ts'); ${stub} m.instrumentConsumer(consumer, { legacyFormats: ['jaeger'] });`));
    assert.deepEqual(jaegerOnly, ['@opentelemetry/api']);
  });
});

describe('instrumentation entry: the drop-in', () => {
  it('loads @opentelemetry/instrumentation and its hooks beside the API, and no SDK or exporter', () => {
    const loaded = own(packagesLoadedBy(`const m = require('./src/instrumentation/index.ts'); new m.KafkaTracingInstrumentation({ enabled: false });`));
    assert.ok(loaded.includes('@opentelemetry/instrumentation'), loaded.join(' '));
    assert.deepEqual(
      loaded.filter((p) => /^@opentelemetry\/(sdk-|exporter-|resources|core$|context-async-hooks)/.test(p)),
      [],
      loaded.join(' '),
    );
  });
});
