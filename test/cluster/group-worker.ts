// One member of the consumer group of test/cluster/consumer-killed.test.ts, in a process of its own
// (forked with IPC). Processing a message means reporting it to the parent: each report carries the
// delivery and the CONSUMER span that was made for it, so what a process did before it was killed
// is known even though its spans die with it. Offsets are committed only for reported messages.
//   env CLUSTER_TOPIC, CLUSTER_GROUP, WORKER_NAME
import type { EachBatchPayload } from 'kafkajs';
import { instrumentConsumer } from '../../src/index';
import { clusterKafka } from '../support/cluster';
import { delivery } from '../support/load';
import { ledgerProvider } from '../support/span-ledger';

const topic = process.env.CLUSTER_TOPIC ?? '';
const groupId = process.env.CLUSTER_GROUP ?? '';
const name = process.env.WORKER_NAME ?? 'worker';
// The member to be killed works slower than its share of the load, so its backlog, and with it its batches,
// grow whatever the machine's speed: a kill then lands inside a batch with messages to go.
const slow = process.env.WORKER_SLOW === '1';
// Resolves once the report left this process: offsets are committed only after that.
const send = (m: unknown) => new Promise<void>((resolve) => process.send?.(m, undefined, {}, () => resolve()) ?? resolve());
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const { provider, ledger } = ledgerProvider();
const kafka = clusterKafka(`cluster-group-${name}`);
const consumer = instrumentConsumer(
  kafka.consumer({ groupId, sessionTimeout: 6000, heartbeatInterval: 500, rebalanceTimeout: 10000, retry: { retries: 30, initialRetryTime: 200, maxRetryTime: 2000 } }),
  { tracerProvider: provider },
);

async function eachBatch({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }: EachBatchPayload): Promise<void> {
  const n = batch.messages.length;
  for (let i = 0; i < n; i++) {
    if (!isRunning() || isStale()) break;
    const message = batch.messages[i];
    if (!message) break;
    if (slow) await sleep(2);
    else if (i % 4 === 0) await sleep(1); // the work
    const seen = ledger.ended.length;
    resolveOffset(message.offset); // ends the message's CONSUMER span
    const reported = send({ t: 'done', d: delivery(message), spans: ledger.ended.slice(seen), left: n - i - 1, partition: batch.partition });
    if (i % 50 === 49 || i === n - 1) {
      await reported; // reports go out in order: this one sent means the earlier ones were too
      await commitOffsetsIfNecessary();
      await heartbeat();
    }
  }
}

process.on('message', (m: { t: string }) => {
  if (m.t !== 'stop') return;
  void consumer
    .disconnect()
    .catch(() => undefined)
    .then(() => {
      void send({ t: 'final', open: ledger.open, ended: ledger.ended.length }).then(() => process.exit(0));
    });
});

void (async () => {
  consumer.on(consumer.events.GROUP_JOIN, (e) => void send({ t: 'joined', assignment: e.payload.memberAssignment }));
  consumer.on(consumer.events.CRASH, (e) => void send({ t: 'crash', error: String(e.payload.error) }));
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({ eachBatchAutoResolve: false, eachBatch });
  await send({ t: 'running' });
})();
