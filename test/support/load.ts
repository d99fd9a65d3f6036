// Traced load for the cluster tests: producers paced to a message rate, each message an id of its
// own (key and value), and the bookkeeping that turns a run into counts (acked / consumed /
// redelivered / chains intact / spans left open).
import { SpanKind } from '@opentelemetry/api';
import type { Producer } from 'kafkajs';
import { parentIdOf, type SpanLedger } from './span-ledger';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Where the errors a raw kafkajs producer threw are remembered, to compare with what the caller got. */
export function rememberThrown(raw: Producer): Set<unknown> {
  const thrown = new Set<unknown>();
  const send = raw.send.bind(raw);
  raw.send = async (record) => {
    try {
      return await send(record);
    } catch (err) {
      thrown.add(err);
      throw err;
    }
  };
  return thrown;
}

/** A failed `send()` as the caller saw it. */
export interface FailedSend {
  error: unknown;
  ids: string[];
}

/** A paced producer loop; `stop()` waits for the sends in flight. */
export interface Load {
  acked: Set<string>;
  failed: FailedSend[];
  /** Messages handed to `send()`. */
  attempted(): number;
  stop(): Promise<void>;
}

/**
 * Sends `batchSize`-message calls at `rate` messages/s (at most `inFlight` calls at once) with
 * acks=-1 until stopped. Ids are `<prefix>-<n>`. Each call writes to one partition (round robin over
 * `partitions`): kafkajs 2.2.4 can resolve a call that spans several leaders without writing the
 * messages of a partition whose leader moved during the call (its retry skips every broker that
 * already answered, src/producer/sendMessages.js; tulios/kafkajs#1798), which would be a loss of
 * the client's, not of the tracing.
 */
export function startLoad(
  producer: Producer,
  o: { topic: string; prefix: string; rate: number; partitions: number; batchSize?: number; inFlight?: number; acks?: number },
): Load {
  const batchSize = o.batchSize ?? 50;
  const inFlight = o.inFlight ?? 8;
  const acked = new Set<string>();
  const failed: FailedSend[] = [];
  let next = 0;
  let running = 0;
  let stopped = false;
  const pending = new Set<Promise<void>>();
  const started = Date.now();
  let calls = 0;
  const sendOne = async (): Promise<void> => {
    const ids = Array.from({ length: batchSize }, () => `${o.prefix}-${next++}`);
    const partition = calls++ % o.partitions;
    running++;
    try {
      await producer.send({ topic: o.topic, acks: o.acks ?? -1, messages: ids.map((id) => ({ key: id, value: id, partition })) });
      for (const id of ids) acked.add(id);
    } catch (error) {
      failed.push({ error, ids });
    } finally {
      running--;
    }
  };
  const loop = (async () => {
    while (!stopped) {
      const due = (o.rate * (Date.now() - started)) / 1000;
      if (next + batchSize <= due && running < inFlight) {
        const p = sendOne();
        pending.add(p);
        void p.finally(() => pending.delete(p));
      } else {
        await sleep(5);
      }
    }
  })();
  return {
    acked,
    failed,
    attempted: () => next,
    async stop() {
      stopped = true;
      await loop;
      await Promise.all([...pending]);
    },
  };
}

/** One delivery of a message to a handler: which message, and the PRODUCER span its header names. */
export interface Delivery {
  id: string;
  traceId: string;
  producerSpanId: string;
}

/** Records a consumed message as a delivery. */
export function delivery(message: { value: Buffer | null; headers?: Record<string, unknown> }): Delivery {
  const { traceId, spanId } = parentIdOf(message.headers?.traceparent);
  return { id: String(message.value), traceId, producerSpanId: spanId };
}

/** The counts each cluster test prints and asserts on. */
export interface Counts {
  acked: number;
  consumed: number;
  redelivered: number;
  lost: number;
  chainsIntact: number;
  chainsBroken: number;
  spansLeftOpen: number;
}

/**
 * Counts a run: `lost` are acked ids never delivered; a chain is intact when each delivery of the
 * message has a CONSUMER span whose parent is the PRODUCER span its header names, in the same trace,
 * and that PRODUCER span ended on the producer's side. `redelivered` counts deliveries beyond the first.
 */
export function countRun(acked: Set<string>, deliveries: Delivery[], producerSide: SpanLedger, consumerSpans: SpanLedger[], spansLeftOpen: number): Counts {
  const producerSpans = new Map(producerSide.ended.filter((r) => r.kind === SpanKind.PRODUCER).map((r) => [r.spanId, r]));
  const consumerByParent = new Map<string, string[]>();
  for (const ledger of consumerSpans) {
    for (const r of ledger.ended) {
      if (r.kind !== SpanKind.CONSUMER || !r.parentSpanId) continue;
      const traces = consumerByParent.get(r.parentSpanId) ?? [];
      traces.push(r.traceId);
      consumerByParent.set(r.parentSpanId, traces);
    }
  }
  const byId = new Map<string, Delivery[]>();
  for (const d of deliveries) byId.set(d.id, [...(byId.get(d.id) ?? []), d]);
  let chainsIntact = 0;
  let chainsBroken = 0;
  for (const [, ds] of byId) {
    const intact = ds.every((d) => producerSpans.get(d.producerSpanId)?.traceId === d.traceId && (consumerByParent.get(d.producerSpanId) ?? []).includes(d.traceId));
    if (intact) chainsIntact++;
    else chainsBroken++;
  }
  let lost = 0;
  for (const id of acked) if (!byId.has(id)) lost++;
  return { acked: acked.size, consumed: byId.size, redelivered: deliveries.length - byId.size, lost, chainsIntact, chainsBroken, spansLeftOpen };
}

/** The one-line summary each test prints. */
export function formatCounts(what: string, c: Counts, extra = ''): string {
  return `${what}: ${c.acked} acked / ${c.consumed} consumed / ${c.redelivered} redelivered / ${c.lost} lost / ${c.chainsIntact} chains intact (${c.chainsBroken} broken) / ${c.spansLeftOpen} spans left open${extra ? `; ${extra}` : ''}`;
}
