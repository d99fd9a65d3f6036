// `npm run demo`: make sure the real Kafka and Jaeger are up (or use KAFKA_BROKERS / JAEGER_QUERY_URL) and
// Confluent's client is built for this Node.js (its `checkout` service runs on it), then run the order
// pipeline example and print its traces. Leaves Kafka and Jaeger running so the traces stay findable;
// `npm run infra:down` stops them.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { confluentNodePath } from './confluent/install.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const exitCode = (child) => new Promise((resolve) => child.on('close', (code) => resolve(code ?? 1)));
// Confluent's client builds (first run only, about 90 s) while Kafka and Jaeger start.
const confluent = confluentNodePath();
confluent.catch(() => undefined); // reported below
// infra.sh says itself when something has to be built (first run) and shows progress while it does.
console.log('checking Kafka and Jaeger');
const infra = await exitCode(spawn('bash', ['scripts/infra.sh', 'up'], { cwd: root, stdio: 'inherit' }));
if (infra !== 0) process.exit(infra);
let NODE_PATH;
try {
  NODE_PATH = await confluent;
} catch (err) {
  console.error(`Confluent's client (scripts/confluent/install.mjs) could not be installed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
console.log('running examples/order-pipeline');
const pipeline = spawn(process.execPath, ['--import', 'tsx', 'examples/order-pipeline/run.ts'], {
  cwd: root,
  env: { ...process.env, NODE_PATH },
  stdio: ['inherit', 'pipe', 'inherit'],
});
let printed = '';
pipeline.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  printed += chunk;
});
const status = await exitCode(pipeline);
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
