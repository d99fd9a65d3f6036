// The README's quick start, verbatim, as a new user runs it: the `npm pack` tarball installed into a
// fresh application with the README's own install command, the kafkajs quick-start block (read from
// README.md now, not copied here) type-checked against the installed package and run on the real
// broker; SIGTERM then takes the quick start's own shutdown path, and its trace must be in Jaeger.
// An integration test (the block needs a broker); the install needs the npm registry or npm's cache.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';
import { JaegerQuery, expectChain, waitForTrace, type JaegerTrace } from '../../src/harness/index';
import { codeBlocks } from '../unit/docs/markdown';
import { packRepository, repoRoot, run } from '../package/npm';
import { JAEGER_QUERY_URL } from '../support/env';

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');

/** The first block of `lang` under the heading `title`. */
function blockUnder(title: string, lang: string): string {
  const start = readme.indexOf(`\n## ${title}\n`);
  assert.ok(start >= 0, `README has a "## ${title}" section`);
  const end = readme.indexOf('\n## ', start + 1);
  const block = codeBlocks(readme.slice(start, end < 0 ? undefined : end)).find((b) => b.lang === lang);
  assert.ok(block, `a ${lang} block under "## ${title}"`);
  return block.code;
}

describe("the README's kafkajs quick start, verbatim, on the packed package", () => {
  it('installs as the README says, type-checks, runs, shuts down on SIGTERM, and its trace is in Jaeger', async () => {
    const install = blockUnder('Install', 'bash').split('\n').find((l) => l.startsWith('npm install '));
    assert.ok(install, 'an npm install line');
    const quickStart = blockUnder('Quick start: kafkajs', 'ts');

    const { dir, tarball } = packRepository();
    const app = join(dir, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'quick-start-app', version: '1.0.0', private: true, type: 'module' }, null, 2));
    // The README's command, with the package name pointing at the tarball (it is not on the registry yet).
    const packages = install.replace(/^npm install /, '').split(/\s+/).map((p) => (p === 'kafkajs-tracing' ? tarball : p));
    run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...packages], app);

    writeFileSync(join(app, 'index.ts'), quickStart);
    const tsconfig = {
      compilerOptions: { module: 'node16', moduleResolution: 'node16', target: 'es2022', strict: true, noEmit: true, skipLibCheck: true, types: ['node'], typeRoots: [join(repoRoot, 'node_modules', '@types')] },
      files: ['index.ts'],
    };
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify(tsconfig));
    run(process.execPath, [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], app);
    const js = ts.transpileModule(quickStart, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    writeFileSync(join(app, 'index.js'), js);

    const started = new Date(Date.now() - 1000);
    const child = spawn(process.execPath, ['index.js'], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const processed = new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes('processed o-1')) resolve();
      });
      void exited.then((code) => reject(new Error(`the quick start exited (${code}) before processing its message:\n${stdout}\n${stderr}`)));
    });
    try {
      await processed;
    } finally {
      child.kill('SIGTERM');
    }
    // The quick start's own SIGTERM handler disconnects and shuts tracing down; then Node has nothing
    // left to do and exits by itself.
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const code = await exited;
    clearTimeout(guard);
    assert.equal(code, 0, `exit code after SIGTERM (stderr: ${stderr})`);

    // The spans were flushed at shutdown; Jaeger indexes them for search a moment later.
    const jaeger = new JaegerQuery(JAEGER_QUERY_URL);
    const isQuickStartSend = (t: JaegerTrace) => t.spans.some((s) => s.operationName === 'send orders' && (s.tags ?? []).some((tag) => tag.key === 'messaging.kafka.message.key' && tag.value === 'o-1'));
    let traces: JaegerTrace[] = [];
    for (const deadline = Date.now() + 20_000; !traces.some(isQuickStartSend) && Date.now() < deadline; ) {
      traces = await jaeger.findTraces({ service: 'order-service', operation: 'send orders', start: started, limit: 20 });
      if (!traces.some(isQuickStartSend)) await new Promise((r) => setTimeout(r, 500));
    }
    const found = traces.find(isQuickStartSend);
    assert.ok(found, `a trace of the quick start's send in Jaeger (found ${traces.length} trace(s) of order-service since the start)`);
    const trace = await waitForTrace(jaeger, found.traceID, { minSpans: 2, timeoutMs: 20_000 });
    expectChain(trace, [
      { name: 'send orders', kind: 'producer', service: 'order-service' },
      { name: 'process orders', kind: 'consumer', service: 'order-service' },
    ]);
  });
});
