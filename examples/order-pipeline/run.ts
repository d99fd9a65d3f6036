// Runs the order pipeline end to end: starts `payments` and `notifications` (kafkajs) as their own
// processes, places one good order and one poison order through `checkout` (Confluent's client), waits
// for both traces in Jaeger and prints them with the client of each service. `npm run demo` runs this
// after making sure Kafka and Jaeger are up and Confluent's client is built for this Node.js.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { JaegerQuery, expectChain, renderTrace, traceUrl, waitForTrace, type TraceView } from '../../src/harness/index';
import { main as cli } from '../../src/harness/cli';
import { BROKERS, CLIENT_ATTRIBUTE, TOPICS } from './config';

const JAEGER_URL = (process.env.JAEGER_QUERY_URL ?? 'http://127.0.0.1:16686').replace(/\/$/, '');
const children: ChildProcess[] = [];

function service(file: string, args: string[] = []): { child: ChildProcess; lines: AsyncIterableIterator<string> } {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, file), ...args], {
    // Export spans twice a second so the demo does not wait on the SDK's 5 s default.
    env: { OTEL_BSP_SCHEDULE_DELAY: '500', ...process.env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return { child, lines: createInterface({ input: child.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]() };
}

async function expectLine(lines: AsyncIterableIterator<string>, prefix: string, what: string, timeoutMs = 60000): Promise<string> {
  const timer = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs).unref());
  const read = (async () => {
    for (;;) {
      const next = await lines.next();
      if (next.done) throw new Error(`${what}: the process ended first`);
      if (next.value.startsWith(prefix)) return next.value;
    }
  })();
  return Promise.race([read, timer]);
}

async function placeOrder(orderId: string, poison: boolean, count = 1): Promise<string> {
  const { child, lines } = service('checkout.ts', [orderId, ...(poison ? ['--poison'] : []), '--count', String(count), '--every', '20']);
  let line = '';
  for (let n = 0; n < count; n++) line = await expectLine(lines, 'TRACE ', `checkout of ${orderId}`);
  await new Promise((r) => child.once('exit', r));
  return line.split(' ')[2] as string; // the last order's trace
}

/**
 * Gets the broker ready without the ERROR lines kafkajs prints for conditions it handles itself:
 * only missing topics are created (asking for existing ones logs "Topic creation errors"), and the
 * group coordinator is awaited here, quietly, before any service's consumer joins (a fresh broker
 * answers "group coordinator is not available" until its offsets topic exists, and kafkajs logs each
 * retry). Real failures still throw, and the demo stops with their message.
 */
async function prepareBroker(): Promise<void> {
  const admin = new Kafka({ clientId: 'demo-admin', brokers: BROKERS, logLevel: logLevel.ERROR }).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = Object.values(TOPICS).filter((topic) => !existing.has(topic));
    if (missing.length > 0) await admin.createTopics({ topics: missing.map((topic) => ({ topic })), waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
  const quiet = new Kafka({ clientId: 'demo-warmup', brokers: BROKERS, logLevel: logLevel.NOTHING }).admin();
  await quiet.connect();
  try {
    await quiet.describeGroups(['demo-warmup']); // finds (and so creates) the group coordinator, retrying while it starts
  } finally {
    await quiet.disconnect();
  }
}

/** Each service of a trace with the Kafka client it ran on, as its resource says (a process tag in Jaeger). */
function clientsOf(trace: TraceView): Map<string, string> {
  const clients = new Map<string, string>();
  for (const { serviceName, tags } of Object.values(trace.raw.processes)) {
    clients.set(serviceName, String(tags?.find((t) => t.key === CLIENT_ATTRIBUTE)?.value ?? 'unknown'));
  }
  return clients;
}

/** The trace crosses both clients: checkout sent on Confluent's, payments and notifications ran on kafkajs. */
function expectMixed(trace: TraceView): string {
  const clients = clientsOf(trace);
  const expected = { checkout: '@confluentinc/kafka-javascript', payments: 'kafkajs', notifications: 'kafkajs' };
  for (const [service, client] of Object.entries(expected)) {
    const got = clients.get(service);
    if (got !== undefined && !got.startsWith(client)) throw new Error(`${service} ran on ${got}, expected ${client}`);
  }
  return Object.keys(expected)
    .filter((service) => clients.has(service))
    .map((service) => `${service}: ${clients.get(service)}`)
    .join(', ');
}

async function main(): Promise<void> {
  const started = Date.now();
  try {
    require.resolve('@confluentinc/kafka-javascript');
  } catch {
    throw new Error(
      "checkout runs on Confluent's client, @confluentinc/kafka-javascript, which is not installed here: `npm run demo` " +
        'builds it into .cache/confluent/ and puts it on NODE_PATH (in an application: npm install @confluentinc/kafka-javascript)',
    );
  }
  await prepareBroker();

  console.log('starting services: payments and notifications on kafkajs (checkout, started per order, runs on Confluent\'s client)');
  const payments = service('payments.ts');
  const notifications = service('notifications.ts');
  await Promise.all([
    expectLine(payments.lines, 'READY', 'payments to join its consumer group'),
    expectLine(notifications.lines, 'READY', 'notifications to join its consumer group'),
  ]);

  const suffix = Date.now().toString(36);
  const goodTrace = await placeOrder(`order-${suffix}`, false);
  const poisonTrace = await placeOrder(`poison-${suffix}`, true);

  const jaeger = new JaegerQuery(JAEGER_URL);
  const good = await waitForTrace(jaeger, goodTrace, { minSpans: 7, timeoutMs: 30000 });
  expectChain(good, [
    { name: 'send orders', service: 'checkout' },
    { name: 'process orders', service: 'payments' },
    { name: 'send payments', service: 'payments' },
    { name: 'process payments', service: 'notifications' },
  ]);
  const poison = await waitForTrace(jaeger, poisonTrace, { minSpans: 7, timeoutMs: 30000 });
  expectChain(poison, [
    { name: 'send orders', service: 'checkout' },
    { name: 'process orders', service: 'payments' },
    { name: 'send orders.dlq', service: 'payments' },
  ]);

  console.log(`\nOrder paid: checkout → orders → payments → payments topic → notifications\n${renderTrace(good)}`);
  console.log(`Clients: ${expectMixed(good)}`);
  console.log(`Jaeger: ${traceUrl(JAEGER_URL, goodTrace)}`);
  console.log(`\nPoison order: 3 failed charges, then the dead-letter topic, in the same trace\n${renderTrace(poison)}`);
  console.log(`Clients: ${expectMixed(poison)}`);
  console.log(`Jaeger: ${traceUrl(JAEGER_URL, poisonTrace)}`);
  // A few more orders, so the per-hop figures below have something to rank.
  const lastLoad = await placeOrder(`load-${suffix}`, false, 10);
  await waitForTrace(jaeger, lastLoad, { minSpans: 7, timeoutMs: 30000 });
  console.log('\nPer hop, from the last 10 minutes of checkout traces (npx kafkajs-tracing pipeline --service checkout):');
  await cli(['pipeline', '--service', 'checkout', '--lookback', '10m', '--jaeger', JAEGER_URL]);
  console.log(`\ndemo done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

function stopChildren(): Promise<unknown> {
  return Promise.all(
    children
      .filter((c) => c.exitCode === null)
      .map((c) => new Promise((r) => {
        c.once('exit', r);
        c.kill('SIGTERM');
      })),
  );
}

main()
  .then(stopChildren)
  .then(() => process.exit(0))
  .catch(async (err: unknown) => {
    console.error(`\ndemo failed: ${err instanceof Error ? err.message : String(err)}`);
    await stopChildren();
    process.exit(1);
  });
