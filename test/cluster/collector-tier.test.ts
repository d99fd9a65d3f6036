// The collector tier (scripts/collector-tier/): three services → gateway Jaeger (tail sampling) →
// Kafka → ingester Jaeger (storage, query). A kept trace is complete across the three services, every
// trace with an error is kept, the ingester stopped for 30 s under load loses no span (Kafka holds
// them), and the gateway restarted loses none (the services' export queues hold and resend them).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { clusterKafka } from '../support/cluster';
import { collectStored, expectedSpans, servicesOf, startPipeline, tier, type Pipeline } from '../support/tier';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const isErr = (v: string) => v.startsWith('err') || v.startsWith('keep');
const index = (v: string) => Number(v.split('-')[2]);

async function until(cond: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await sleep(100);
  }
}

/** Sends `ok-n` / `keep-n` (every `errEvery`th: an error span at the trace's start) messages at `rate` per second until stopped. */
function paced(p: Pipeline, prefix: string, rate: number, errEvery: number) {
  let n = 0;
  let stopped = false;
  const sent: string[] = [];
  const t0 = Date.now();
  const inFlight = new Set<Promise<void>>();
  const loop = (async () => {
    while (!stopped) {
      if (n < (rate * (Date.now() - t0)) / 1000 && inFlight.size < 32) {
        const value = `${n % errEvery === 0 ? 'keep' : 'ok'}-${prefix}-${n}`;
        n++;
        const s = p.send(value).then(() => void sent.push(value), () => undefined);
        inFlight.add(s);
        void s.finally(() => inFlight.delete(s));
      } else await sleep(5);
    }
  })();
  return {
    sent,
    /** Messages started so far. */
    count: () => n,
    async stop() {
      stopped = true;
      await loop;
      await Promise.all([...inFlight]);
    },
  };
}

/** Spans a stored trace is missing, over the traces that must be complete. */
function incomplete(p: Pipeline, stored: Map<string, { spans: unknown[] }>, values: string[]): string[] {
  return values.filter((v) => (stored.get(v)?.spans.length ?? 0) !== expectedSpans(v));
}

describe('collector tier: gateway (tail sampling) → Kafka → ingester', () => {
  const kafka = clusterKafka('tier');

  it('kept traces are complete across three services; every error trace is kept', async () => {
    const p = await startPipeline(kafka, 'tier-sample');
    try {
      const values = Array.from({ length: 300 }, (_, i) => `${i % 10 === 0 ? 'err' : 'ok'}-s-${i}`);
      for (let i = 0; i < values.length; i += 20) await Promise.all(values.slice(i, i + 20).map((v) => p.send(v)));
      await until(() => p.done.size >= values.length, 60000, () => `service c to process every message (${p.done.size}/${values.length})`);
      await Promise.all(Object.values(p.services).map((s) => s.forceFlush()));
      const stored = await collectStored(p.done, isErr, 60000);
      const errors = values.filter(isErr);
      const keptOk = values.filter((v) => !isErr(v) && stored.has(v));
      const broken = [...stored.entries()].filter(([v, t]) => t.spans.length !== expectedSpans(v) || servicesOf(t).size !== 3).map(([v]) => v);
      console.log(
        `collector tier sampling: ${values.length} traces sent (${errors.length} with an error); stored ${errors.filter((v) => stored.has(v)).length}/${errors.length} error traces and ${keptOk.length}/${values.length - errors.length} others (10% share); ${stored.size - broken.length}/${stored.size} stored traces complete (3 services)`,
      );
      assert.deepEqual(broken, [], 'every stored trace has all its spans, from the three services');
      assert.deepEqual(incomplete(p, stored, errors), [], 'every error trace kept, whole');
      assert.ok(keptOk.length > 0 && keptOk.length < values.length - errors.length, `some of the other traces kept, not all (${keptOk.length})`);
    } finally {
      await p.close();
    }
  });

  it('the ingester stopped for 30 s under load: no span lost (Kafka holds them)', async () => {
    const p = await startPipeline(kafka, 'tier-ingester');
    let down = false;
    try {
      const load = paced(p, 'i', 100, 4);
      const t0 = Date.now();
      const mark = (what: string) => console.log(`collector tier, ingester down: ${what} at +${((Date.now() - t0) / 1000).toFixed(1)} s`);
      await sleep(3000);
      await tier('stop', 'ingester');
      down = true;
      mark('ingester stopped');
      await sleep(30000);
      await tier('start', 'ingester');
      down = false;
      mark('ingester back');
      await sleep(3000);
      await load.stop();
      await until(() => load.sent.every((v) => p.done.has(v)), 60000, () => 'service c to process every message');
      await Promise.all(Object.values(p.services).map((s) => s.forceFlush()));
      const stored = await collectStored(p.done, isErr, 90000);
      const errors = load.sent.filter(isErr);
      const missing = incomplete(p, stored, errors);
      mark(`${load.sent.length} traces sent, ${errors.length} with an error: ${errors.length - missing.length} stored whole, ${missing.length} missing spans; ${load.sent.filter((v) => !isErr(v) && stored.has(v)).length} others kept`);
      assert.deepEqual(missing, [], 'every kept trace stored whole after the ingester came back');
    } finally {
      if (down) await tier('start', 'ingester').catch(() => undefined);
      await p.close();
    }
  });

  // The guarantee here is the services' export queues': every span they ended reached the gateway,
  // those made while it was down by a resend. What the gateway then keeps is the tail sampler's call,
  // and two things about it are reported, not asserted: the traces still waiting for their decision
  // when it stops are dropped (tail_sampling v0.140.1's Shutdown keeps no state), and after an outage
  // the three services' held batches reach it at different moments, so a trace may be decided before
  // its last pieces arrive (those then follow the decision, cached).
  it('the gateway restarted under load: every span the services ended reaches the gateway (the export queues hold and resend them)', async () => {
    const p = await startPipeline(kafka, 'tier-gateway');
    let down = false;
    try {
      const load = paced(p, 'g', 100, 4);
      const t0 = Date.now();
      const mark = (what: string) => console.log(`collector tier, gateway restart: ${what} at +${((Date.now() - t0) / 1000).toFixed(1)} s`);
      await sleep(3000);
      const stopFrom = load.count();
      await tier('stop', 'gateway');
      down = true;
      mark('gateway stopped');
      await sleep(5000);
      await tier('start', 'gateway');
      down = false;
      mark('gateway back');
      await sleep(3000);
      await load.stop();
      await until(() => load.sent.every((v) => p.done.has(v)), 60000, () => 'service c to process every message');
      // A handler marks its message done before its CONSUMER span ends, so a span or two may end after
      // a flush: flush until every ended span is accounted for (exported, or given up), 15 s at most.
      const settled = () => Object.values(p.services).every((s) => { const x = s.exportStats(); return x.exportedSpans + x.lostSpans + x.droppedSpans >= x.endedSpans && x.heldSpans === 0; });
      for (let t = 0; t < 30; t++) {
        await Promise.all(Object.values(p.services).map((s) => s.forceFlush()));
        if (settled()) break;
        await sleep(500);
      }
      const stats = Object.values(p.services).map((s) => s.exportStats());
      const sum = (f: (s: (typeof stats)[number]) => number) => stats.reduce((n, s) => n + f(s), 0);
      const accepted = await gatewayAcceptedSpans();
      const stored = await collectStored(p.done, (v) => isErr(v) && index(v) >= stopFrom, 20000);
      const errors = load.sent.filter(isErr);
      const whole = (from: number, to: number) => {
        const xs = errors.filter((v) => index(v) >= from && index(v) < to);
        return `${xs.length - incomplete(p, stored, xs).length}/${xs.length}`;
      };
      mark(
        `services: ${sum((s) => s.endedSpans)} spans ended, ${sum((s) => s.exportedSpans)} exported, ${sum((s) => s.failedSpans)} failed and held, ${sum((s) => s.resentSpans)} resent, ${sum((s) => s.lostSpans + s.droppedSpans)} given up; ` +
          `gateway accepted ${accepted} spans since its restart; error traces stored whole: ${whole(0, stopFrom)} begun before the stop, ${whole(stopFrom, Infinity)} after`,
      );
      assert.ok(sum((s) => s.failedSpans) > 0, 'exports failed while the gateway was down (the fault happened)');
      assert.ok(sum((s) => s.resentSpans) > 0, 'held spans were resent');
      assert.equal(sum((s) => s.lostSpans + s.droppedSpans), 0, 'the services gave no span up');
      assert.equal(sum((s) => s.heldSpans), 0, 'nothing is still held');
      assert.equal(sum((s) => s.exportedSpans), sum((s) => s.endedSpans), 'every span the services ended was accepted by the gateway');
    } finally {
      if (down) await tier('start', 'gateway').catch(() => undefined);
      await p.close();
    }
  });
});

/** The gateway's own count of spans its OTLP receiver accepted (since it last started). */
async function gatewayAcceptedSpans(): Promise<number> {
  const text = await (await fetch('http://127.0.0.1:24888/metrics')).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('otelcol_receiver_accepted_spans'))
    .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
}
