// A consumer group of three processes under traced load; one is SIGKILLed in the middle of a batch.
// Its partitions move to the two others, every acked message is processed, a message processed again
// (its offset was not committed when the process died) gets a CONSUMER span of its own in the same
// trace, and no span of a surviving process is left open.
//
// Redelivery is counted, not linked: the second CONSUMER span of a message is a sibling of the first,
// a child of the same PRODUCER span (the header the message carries), so both deliveries sit in the
// message's one trace; the middleware cannot know of a delivery made by a process that died, so there
// is nothing to link to.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { instrumentProducer } from '../../src/index';
import { uniqueTopic } from '../support/env';
import { clusterKafka, createClusterTopic } from '../support/cluster';
import { countRun, formatCounts, startLoad, type Delivery } from '../support/load';
import { ledgerProvider, SpanLedger, type SpanRecord } from '../support/span-ledger';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await sleep(100);
  }
}

interface Worker {
  child: ChildProcess;
  joined: boolean;
  processed: number;
  final?: { open: number };
  /** The spans its reports carried. */
  spans: SpanLedger;
}

describe('3-broker cluster: a consumer process killed mid-batch', () => {
  it('partitions move, every message processed, redeliveries traced in the same trace, no span of a survivor left open', async () => {
    const kafka = clusterKafka('cluster-group');
    const topic = uniqueTopic('cl-group');
    await createClusterTopic(kafka, topic, 6);
    const producerSide = ledgerProvider();
    const raw = kafka.producer();
    const producer = instrumentProducer(raw, { tracerProvider: producerSide.provider });
    const deliveries: Delivery[] = [];
    const processed = new Set<string>();
    const workers: Worker[] = [0, 1, 2].map((i) => {
      const child = fork(join(__dirname, 'group-worker.ts'), [], {
        execArgv: ['--import', 'tsx'],
        env: { ...process.env, CLUSTER_TOPIC: topic, CLUSTER_GROUP: `${topic}-g`, WORKER_NAME: `w${i}`, WORKER_SLOW: i === 0 ? '1' : '0' },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      const w: Worker = { child, joined: false, processed: 0, spans: new SpanLedger() };
      child.on('message', (m: { t: string; d?: Delivery; spans?: SpanRecord[]; left?: number; open?: number; error?: string; partition?: number }) => {
        if (m.t === 'joined') w.joined = true;
        else if (m.t === 'done' && m.d) {
          deliveries.push(m.d);
          processed.add(m.d.id);
          w.processed++;
          w.spans.ended.push(...(m.spans ?? []));
          if (m.left !== undefined) lastLeft.set(w, m.left);
          if (m.partition !== undefined) (w === victim ? (killed ? new Set<number>() : victimPartitions) : killed ? afterKill : new Set<number>()).add(m.partition);
        } else if (m.t === 'final') w.final = { open: m.open ?? -1 };
        else if (m.t === 'crash') console.log(`consumer killed: w${i} crashed: ${m.error}`);
      });
      return w;
    });
    const lastLeft = new Map<Worker, number>();
    let killed = false;
    const victimPartitions = new Set<number>();
    const afterKill = new Set<number>();
    const victim = workers[0] as Worker;
    const survivors = workers.slice(1);
    try {
      await raw.connect();
      await until(() => workers.every((w) => w.joined), 60000, () => 'the three members to join');
      const load = startLoad(producer, { topic, prefix: 'g', rate: 3000, partitions: 6 });
      const t0 = Date.now();
      const mark = (what: string) => console.log(`consumer killed: ${what} at +${((Date.now() - t0) / 1000).toFixed(1)} s`);
      await sleep(4000);
      // Kill it while it is inside a batch with messages still to go.
      await until(() => (lastLeft.get(victim) ?? 0) > 100, 45000, () => `the victim to be mid-batch (its last report: ${lastLeft.get(victim) ?? 'none'} of its batch left)`);
      victim.child.kill('SIGKILL');
      killed = true;
      mark(`w0 SIGKILLed mid-batch (${lastLeft.get(victim)} messages of its batch left, ${victim.processed} processed)`);
      await sleep(5000);
      await load.stop();
      const loadSecs = (Date.now() - t0) / 1000;
      mark(`load stopped: ${load.attempted()} messages attempted`);
      const acked = load.acked;
      await until(() => [...acked].every((id) => processed.has(id)), 60000, () => `every acked message to be processed (${processed.size}/${acked.size})`).catch(() => undefined);
      for (const w of survivors) w.child.send({ t: 'stop' });
      await until(() => survivors.every((w) => w.final), 30000, () => 'the survivors to stop');
      const open = survivors.reduce((sum, w) => sum + (w.final?.open ?? 0), 0);
      const counts = countRun(acked, deliveries, producerSide.ledger, workers.map((w) => w.spans), open);
      const moved = survivors.map((w) => w.processed);
      console.log(formatCounts('consumer killed', counts, `w0 processed ${victim.processed} before the kill, survivors ${moved.join(' + ')}; ${Math.round(acked.size / loadSecs)} acked msg/s`));
      assert.ok(victimPartitions.size > 0 && [...victimPartitions].every((p) => afterKill.has(p)), `the victim's partitions (${[...victimPartitions]}) moved to the survivors`);
      assert.equal(counts.lost, 0, 'every acked message processed');
      assert.equal(counts.chainsBroken, 0, 'every delivery, first or again, has a CONSUMER span under its PRODUCER span, in its trace');
      assert.equal(counts.spansLeftOpen, 0, 'no span of a surviving process left open');
      assert.ok(survivors.every((w) => w.final && w.final.open === 0), 'each survivor reported its open spans');
    } finally {
      for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
      await raw.disconnect().catch(() => undefined);
    }
  });
});
