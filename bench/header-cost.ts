// What each trace header costs through kafkajs's own wire codec, per message: the produce request
// encoded as kafkajs puts it on the wire, and the record batch decoded as a fetch does. Header sets
// run interleaved, round after round, and medians of CPU time are compared with the no-header row
// (this machine is shared: wall time is not used). Run: npm run bench:headers  (ROUNDS, OPS)
import { createRequire } from 'node:module';
import type { IHeaders } from 'kafkajs';

const ROUNDS = Number(process.env.ROUNDS ?? 7);
const OPS = Number(process.env.OPS ?? 20000);
const VALUE = Buffer.alloc(1200, 0x61);

const wireRequire = createRequire(require.resolve('kafkajs'));
type Encoded = { buffer: Buffer };
const ProduceRequest = wireRequire('./src/protocol/requests/produce/v3/request') as (r: object) => { encode(): Promise<Encoded> };
const RecordEncoder = wireRequire('./src/protocol/recordBatch/record/v0') as (r: object) => unknown;
const RecordBatchEncoder = (wireRequire('./src/protocol/recordBatch/v0') as { RecordBatch: (b: object) => Promise<Encoded> }).RecordBatch;
const RecordBatchDecoder = wireRequire('./src/protocol/recordBatch/v0/decoder') as (d: unknown) => Promise<{ records: unknown[] }>;
const WireDecoder = wireRequire('./src/protocol/decoder') as new (b: Buffer) => unknown;

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const KJT = 'kjt=mi0x4s2o:1:orders';
const BAGGAGE = 'tenant=acme';

/** Header sets, each as the producer would hand them to kafkajs. */
const SETS: [string, () => IHeaders | undefined][] = [
  ['no headers', () => undefined],
  ['traceparent (string)', () => ({ traceparent: TRACEPARENT })],
  ['traceparent (Buffer, made per message)', () => ({ traceparent: Buffer.from(TRACEPARENT, 'latin1') })],
  ['traceparent + tracestate kjt (strings)', () => ({ traceparent: TRACEPARENT, tracestate: KJT })],
  ['traceparent + tracestate kjt + baggage', () => ({ traceparent: TRACEPARENT, tracestate: KJT, baggage: BAGGAGE })],
];

function cpuUs(): number {
  const c = process.cpuUsage();
  return c.user + c.system;
}

async function encodeOps(headers: () => IHeaders | undefined, n: number): Promise<number> {
  const t0 = cpuUs();
  for (let i = 0; i < n; i++) {
    const messages = [{ key: `k${i}`, value: VALUE, headers: headers() }];
    await ProduceRequest({ acks: -1, timeout: 30000, topicData: [{ topic: 'bench', partitions: [{ partition: 0, messages }] }] }).encode();
  }
  return (cpuUs() - t0) / n;
}

async function decodeOps(batches: Buffer[], n: number): Promise<number> {
  const t0 = cpuUs();
  for (let i = 0; i < n; i++) await RecordBatchDecoder(new WireDecoder(batches[i % batches.length] as Buffer));
  return (cpuUs() - t0) / n;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function main(): Promise<void> {
  const batches = new Map<string, Buffer[]>();
  for (const [name, headers] of SETS) {
    batches.set(
      name,
      await Promise.all(Array.from({ length: 200 }, async (_, i) => (await RecordBatchEncoder({ records: [RecordEncoder({ offsetDelta: 0, key: Buffer.from(`k${i}`), value: VALUE, headers: headers() })] })).buffer)),
    );
  }
  const enc = new Map(SETS.map(([n]) => [n, [] as number[]]));
  const dec = new Map(SETS.map(([n]) => [n, [] as number[]]));
  for (const [name, headers] of SETS) {
    await encodeOps(headers, 2000);
    await decodeOps(batches.get(name) as Buffer[], 2000);
  }
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, headers] of SETS) {
      enc.get(name)?.push(await encodeOps(headers, OPS));
      dec.get(name)?.push(await decodeOps(batches.get(name) as Buffer[], OPS));
    }
  }
  const base = SETS[0]?.[0] as string;
  const rows = SETS.map(([name]) => {
    const e = enc.get(name) as number[];
    const d = dec.get(name) as number[];
    return {
      headers: name,
      'encode CPU µs': +median(e).toFixed(3),
      'encode range': `${Math.min(...e).toFixed(2)}–${Math.max(...e).toFixed(2)}`,
      'encode added': +(median(e) - median(enc.get(base) as number[])).toFixed(3),
      'decode CPU µs': +median(d).toFixed(3),
      'decode range': `${Math.min(...d).toFixed(2)}–${Math.max(...d).toFixed(2)}`,
      'decode added': +(median(d) - median(dec.get(base) as number[])).toFixed(3),
      'record bytes': (batches.get(name) as Buffer[])[0]?.length,
    };
  });
  console.log(`kafkajs wire codec, one message per request, ${ROUNDS} interleaved rounds of ${OPS}, medians of CPU µs per message (node ${process.version})`);
  console.table(rows);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
