// `npm run demo`: make sure the real Kafka and Jaeger are up (or use KAFKA_BROKERS / JAEGER_QUERY_URL),
// then run the order pipeline example and print its traces. Leaves Kafka and Jaeger running so the
// traces stay findable; `npm run infra:down` stops them.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const step = (label, cmd, args) => {
  console.log(label);
  const res = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (res.status !== 0) process.exit(res.status ?? 1);
};
// infra.sh says itself when something has to be built (first run) and shows progress while it does.
step('checking Kafka and Jaeger', 'bash', ['scripts/infra.sh', 'up']);
console.log('running examples/order-pipeline');
const pipeline = spawn(process.execPath, ['--import', 'tsx', 'examples/order-pipeline/run.ts'], {
  cwd: root,
  stdio: ['inherit', 'pipe', 'inherit'],
});
let printed = '';
pipeline.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  printed += chunk;
});
const status = await new Promise((resolve) => pipeline.on('close', (code) => resolve(code ?? 1)));
if (status !== 0) process.exit(status);
await whereToLook([...printed.matchAll(/\/trace\/([0-9a-f]{32})/g)].map((m) => m[1]));

// The closing lines: where to look at the traces, in a browser or in a terminal.
async function whereToLook(traceIds) {
  const ui = (process.env.JAEGER_QUERY_URL ?? 'http://127.0.0.1:16686').replace(/\/$/, '');
  const page = await fetch(ui, { signal: AbortSignal.timeout(3000) })
    .then((res) => res.text())
    .catch(() => '');
  const hasUi = page !== '' && !page.includes('This is not the Jaeger UI');
  console.log('\nWhere to look:');
  if (hasUi) console.log(`  in a browser: the Jaeger UI, ${ui} (open the links above, or search for service "checkout")`);
  else console.log(`  in a browser: no Jaeger UI at ${ui} (see \`npm run infra:status\` and the README)`);
  console.log(`  in a terminal: npx kafkajs-tracing trace ${traceIds[0] ?? '<traceId>'}`);
  if (!process.env.JAEGER_QUERY_URL) {
    console.log('  Kafka and Jaeger keep running (`npm run infra:down` stops them); Jaeger keeps traces on disk for 3 days.');
  }
}
