// The local cluster's state for scripts/kafka/cluster.sh, through a kafkajs admin client.
//   node scripts/kafka/cluster-status.mjs wait <bootstrap> <brokers> <timeoutSeconds>
//       exit 0 once a metadata request lists that many brokers
//   node scripts/kafka/cluster-status.mjs show <bootstrap>
//       the registered brokers, then each topic's partitions: leader, replicas, in-sync replicas
//       (CLUSTER_STATUS_TOPICS=a,b limits it to those topics; at most 30 topics are listed)
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Kafka, logLevel } = require('kafkajs');
const [mode, bootstrap, ...rest] = process.argv.slice(2);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function admin() {
  const kafka = new Kafka({
    clientId: 'kafkajs-tracing-cluster-status',
    brokers: bootstrap.split(','),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    retry: { retries: 0 },
  });
  return kafka.admin();
}

async function waitFor(count, timeoutS) {
  const deadline = Date.now() + timeoutS * 1000;
  let last = 'no answer';
  for (;;) {
    const a = admin();
    try {
      await a.connect();
      const { brokers } = await a.describeCluster();
      if (brokers.length >= count) return 0;
      last = `${brokers.length}/${count} brokers registered`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    } finally {
      await a.disconnect().catch(() => {});
    }
    if (Date.now() >= deadline) {
      console.error(`cluster at ${bootstrap} not ready: ${last}`);
      return 1;
    }
    await sleep(250);
  }
}

async function show() {
  const a = admin();
  try {
    await a.connect();
    const { brokers } = await a.describeCluster();
    for (const b of brokers.sort((x, y) => x.nodeId - y.nodeId)) {
      console.log(`broker ${b.nodeId}: ${b.host}:${b.port} registered`);
    }
    const only = process.env.CLUSTER_STATUS_TOPICS?.split(',').filter(Boolean);
    const names = (only ?? (await a.listTopics()).filter((t) => !t.startsWith('__'))).sort();
    if (!names.length) console.log('topics: none yet');
    const shown = names.slice(0, 30);
    const { topics } = await a.fetchTopicMetadata({ topics: shown });
    for (const t of [...topics].sort((x, y) => x.name.localeCompare(y.name))) {
      const parts = [...t.partitions].sort((x, y) => x.partitionId - y.partitionId);
      const cells = parts.map((p) => `p${p.partitionId} leader ${p.leader} replicas [${p.replicas}] isr [${p.isr}]`);
      console.log(`topic ${t.name}: ${cells.join('; ')}`);
    }
    if (names.length > shown.length) console.log(`(${names.length - shown.length} more topics; CLUSTER_STATUS_TOPICS=a,b names some)`);
    return 0;
  } catch (err) {
    console.error(`cluster at ${bootstrap} does not answer: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    await a.disconnect().catch(() => {});
  }
}

if (!bootstrap || (mode !== 'wait' && mode !== 'show')) {
  console.error('usage: cluster-status.mjs wait <bootstrap> <brokers> <timeoutSeconds> | show <bootstrap>');
  process.exit(2);
}
process.exit(mode === 'wait' ? await waitFor(Number(rest[0] ?? 1), Number(rest[1] ?? 0)) : await show());
