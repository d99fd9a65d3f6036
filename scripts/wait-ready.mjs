// Readiness probes for scripts/infra.sh: a real Kafka metadata request, a real Jaeger health check.
// usage: node scripts/wait-ready.mjs kafka 127.0.0.1:9092 <timeoutSeconds>
//        node scripts/wait-ready.mjs jaeger http://127.0.0.1:13133/status <timeoutSeconds>
// A timeout of 0 means a single attempt. Exit 0 when ready, 1 otherwise.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const [kind, target, timeoutArg] = process.argv.slice(2);
const deadline = Date.now() + Number(timeoutArg ?? 0) * 1000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function kafkaOnce(broker) {
  const { Kafka, logLevel } = require('kafkajs');
  const kafka = new Kafka({
    clientId: 'kafkajs-tracing-readiness',
    brokers: [broker],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    // describeCluster is a Metadata request: the broker answers it only once it has joined its controller.
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

async function jaegerOnce(url) {
  const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
  return res.ok;
}

const probe = kind === 'kafka' ? kafkaOnce : kind === 'jaeger' ? jaegerOnce : null;
if (!probe || !target) {
  console.error('usage: wait-ready.mjs kafka|jaeger <target> [timeoutSeconds]');
  process.exit(2);
}
let lastError = 'no answer';
for (;;) {
  try {
    if (await probe(target)) process.exit(0);
  } catch (err) {
    lastError = err instanceof Error ? err.message : String(err);
  }
  if (Date.now() >= deadline) break;
  await sleep(250);
}
console.error(`${kind} at ${target} is not ready: ${lastError}`);
process.exit(1);
