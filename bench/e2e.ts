// End-to-end benchmark on the real broker: the same workload as plain kafkajs, with our middleware, and
// with @opentelemetry/instrumentation-kafkajs, each variant in its own process, rounds interleaved
// (plain, ours, official, plain, ...), medians and ranges printed.
//
//   npm run bench:e2e                       # default burst workload: plain, jaeger (ours) and anchor, exporting to the real Jaeger
//   npm run bench:e2e -- --variants plain,jaeger-sink,anchor-sink   # the burst, exporting to the loopback sink
//   npm run bench:e2e -- --messages 50000 --rounds 3
//   npm run bench:e2e -- --sustained        # 12,000 msg/s for 60 s over 32 partitions
//   npm run bench:e2e -- --sustained --repeat 3 --variants plain,jaeger-sink,jaeger
//   npm run bench:e2e -- --sustained --variants jaeger-sink,jaeger --outage 20:15   # collector down 20 s in, for 15 s
//   npm run bench:e2e -- --sustained --node 24      # the whole run on Node 24 (fetched into .cache/node/)
//   npm run bench:e2e -- --sustained --topology single,cluster --variants plain,jaeger-sink
//       # each variant on the single broker and on the 3-broker cluster (RF 3, acks=all; start it first with
//       # `npm run infra:up -- --brokers 3`; KAFKA_CLUSTER_BROKERS names another), rows `<variant>@cluster`
//
// Sustained variants: plain; plain-headers (untraced, every message carrying the trace headers ours
// writes: kafkajs's own cost of carrying them); jaeger / otlp (ours, exporting to the real Jaeger on the same cores);
// jaeger-sink / otlp-sink (ours, exporting to a loopback sink in this process that reads and discards
// the bodies, counting spans: the application's own cost); anchor-sink (the anchor, Jaeger Thrift to
// the sink). confluent-plain / confluent-sink / confluent-jaeger: the same on Confluent's client (built for
// this Node.js by scripts/confluent/install.mjs on first use); their ratios are to confluent-plain.
//   npm run bench:e2e -- --sustained --repeat 3 --variants plain,jaeger-sink,confluent-plain,confluent-sink
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { delimiter, join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadAnchor } from './anchor';
import { CollectorSink } from './collector-sink';
import { jaegerUsageSince, readJaeger, type JaegerUsage } from './jaeger-probe';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '2' },
    messages: { type: 'string', default: '20000' },
    size: { type: 'string', default: '1200' },
    partitions: { type: 'string', default: '8' },
    batch: { type: 'string', default: '50' },
    sustained: { type: 'boolean', default: false },
    variants: { type: 'string', default: 'plain,jaeger-sink,jaeger' },
    repeat: { type: 'string', default: '1' },
    duration: { type: 'string', default: '60' },
    rate: { type: 'string', default: '12000' },
    outage: { type: 'string' }, // <start s>:<length s>: stop the collector that long, that far into each traced run
    'cpu-prof': { type: 'string' }, // directory: each worker writes a V8 CPU profile there (node --cpu-prof)
    topology: { type: 'string', default: 'single' }, // single | cluster | single,cluster (sustained and burst alike)
    node: { type: 'string' }, // a Node.js major line (20, 22, 24, 26) to run the whole benchmark on; others are fetched into .cache/node/
  },
});

const root = join(__dirname, '..');
/** The 3-broker cluster of `infra.sh --brokers 3`: replication factor 3, producers with acks=all (kafkajs's default). */
const CLUSTER = ['--brokers', process.env.KAFKA_CLUSTER_BROKERS ?? '127.0.0.1:19092,127.0.0.1:19192,127.0.0.1:19292', '--replication', '3'];
const topologies = values.topology!.split(',') as Array<'single' | 'cluster'>;
/** Row name of a variant on a topology: the single broker keeps the plain names. */
const rowName = (v: string, topology: string) => (topology === 'cluster' ? `${v}@cluster` : v);

/** With `--node N` on another line, runs this same command under that line's binary instead. */
async function reExecOnRequestedNode(): Promise<boolean> {
  const major = values.node;
  if (!major || Number(major) === Number(process.versions.node.split('.')[0])) return false;
  const { nodeBinary } = (await import(join(root, 'scripts', 'node-versions.mjs'))) as { nodeBinary: (m: number) => Promise<string | undefined> };
  const binary = await nodeBinary(Number(major));
  if (!binary) throw new Error(`no Node.js ${major} binary`);
  const child = spawn(binary, [...process.execArgv, __filename, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exitCode = await new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));
  return true;
}
type Result = Record<string, unknown> & { variant: string; exporter: string | null; messagesPerSecond: number; latencyP99Ms: number; cpuSeconds: number };

/** Runs one worker; `onStart` is called when its measured run begins. */
function run(args: string[], env: Record<string, string> = {}, onStart?: () => void): Promise<Result> {
  return new Promise((resolve, reject) => {
    const profile = values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${values['cpu-prof']}`] : [];
    const child = spawn(process.execPath, [...profile, '--import', 'tsx', join(__dirname, 'e2e-worker.ts'), ...args], {
      cwd: root,
      env: { ...process.env, KAFKAJS_NO_PARTITIONER_WARNING: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 15 * 60 * 1000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (!stdout.includes('START\n') && (stdout + chunk).includes('START\n')) onStart?.();
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('close', (code) => {
      const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
      if (code !== 0 || !line) reject(new Error(`worker ${args.join(' ')} failed (${code}):\n${stdout}\n${stderr}`));
      else resolve(JSON.parse(line.slice(7)) as Result);
    });
  });
}

/** NODE_PATH with Confluent's client for this Node.js (built on first use, then found in .cache/confluent/). */
function confluentNodePath(): string {
  const res = spawnSync(process.execPath, [join(root, 'scripts', 'confluent', 'install.mjs')], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (res.status !== 0) throw new Error("Confluent's client could not be installed (scripts/confluent/install.mjs, above)");
  return [res.stdout.trim(), process.env.NODE_PATH].filter(Boolean).join(delimiter);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

const range = (xs: number[]) => (xs.length > 1 ? `${Math.min(...xs)}–${Math.max(...xs)}` : String(xs[0]));
type Spans = { endedSpans: number; exportedSpans: number; droppedSpans: number; failedSpans: number; lostSpans?: number; heldSpans?: number } | null;

/** Per group: the median of each figure, and its range over the runs. */
function summarize(results: Result[], key: (r: Result) => string): { table: Record<string, Record<string, number>>; ranges: Record<string, Record<string, string>> } {
  const groups = new Map<string, Result[]>();
  for (const r of results) groups.set(key(r), [...(groups.get(key(r)) ?? []), r]);
  const table: Record<string, Record<string, number>> = {};
  const ranges: Record<string, Record<string, string>> = {};
  for (const [k, rs] of groups) {
    const spans = rs.map((r) => r.spans as Spans);
    const figures: Record<string, number[]> = {
      'msg/s': rs.map((r) => r.messagesPerSecond),
      'cpu µs/msg': rs.map((r) => r.cpuMicrosPerMessage as number),
      'p50 ms': rs.map((r) => r.latencyP50Ms as number),
      'p99 ms': rs.map((r) => r.latencyP99Ms),
      'cpu s': rs.map((r) => r.cpuSeconds),
      'loop p99 ms': rs.map((r) => r.eventLoopDelayP99Ms as number),
      'gc s': rs.map((r) => r.gcSeconds as number),
      'peak RSS MiB': rs.map((r) => r.peakRssMiB as number),
      'RSS drift MiB': rs.map((r) => (r.rssDriftMiB as number | null) ?? NaN),
      'spans ended': spans.map((s) => s?.endedSpans ?? 0),
      'spans exported': spans.map((s) => s?.exportedSpans ?? 0),
      // Dropped: the processor's queue was full. Lost: an export failed and they were not resent (retry
      // off, the budget full, refused, or still held at shutdown). Both are gone for good.
      'spans dropped': spans.map((s) => s?.droppedSpans ?? 0),
      'spans lost': spans.map((s) => (s ? (s.lostSpans ?? s.failedSpans) : 0)),
      'sink received': rs.map((r) => (r.sinkSpans as number | undefined) ?? NaN),
      // Real-Jaeger variants: what Jaeger stored of the spans that ended, and its own CPU per stored span.
      'stored/ended': rs.map((r) => (r.jaeger as JaegerUsage | undefined) && (r.spans as Spans)?.endedSpans ? +((r.jaeger as JaegerUsage).stored / (r.spans as NonNullable<Spans>).endedSpans).toFixed(4) : NaN),
      'jaeger cpu s': rs.map((r) => (r.jaeger as JaegerUsage | undefined)?.cpuSeconds ?? NaN),
      'jaeger µs/stored span': rs.map((r) => {
        const j = r.jaeger as JaegerUsage | undefined;
        return j && j.stored > 0 ? +((j.cpuSeconds * 1e6) / j.stored).toFixed(1) : NaN;
      }),
    };
    table[k] = Object.fromEntries(Object.entries(figures).map(([f, xs]) => [f, median(xs)]));
    ranges[k] = Object.fromEntries(Object.entries(figures).map(([f, xs]) => [f, range(xs)]));
  }
  return { table, ranges };
}

/** Stops the collector `start` s into a run and starts it again `length` s later. */
function outage(sink: CollectorSink | undefined, spec: string | undefined): (() => void) | undefined {
  if (!spec) return undefined;
  const [start, length] = spec.split(':').map(Number) as [number, number];
  return () => {
    setTimeout(() => {
      console.log(`  collector down (${length} s)`);
      const infra = (command: string) =>
        new Promise<number | null>((resolve) => spawn('bash', [join(root, 'scripts', 'infra.sh'), command, 'jaeger'], { stdio: 'ignore' }).on('close', resolve));
      // Jaeger can take seconds to stop (Badger closes its tables): it is started only once it has.
      const stopped = sink ? sink.stop() : infra('stop');
      setTimeout(() => {
        void Promise.resolve(stopped).then(async () => {
          console.log('  collector up again');
          if (sink) return sink.start();
          const code = await infra('start');
          if (code !== 0) console.log(`  the collector did not start again (infra.sh start jaeger exited ${code})`);
        });
      }, length * 1000);
    }, start * 1000);
  };
}

async function main(): Promise<void> {
  if (await reExecOnRequestedNode()) return;
  const date = new Date().toISOString();
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: +(totalmem() / 2 ** 30).toFixed(1), node: process.version, anchor: `@opentelemetry/instrumentation-kafkajs ${loadAnchor().version}` };
  const results: Result[] = [];
  let summary: ReturnType<typeof summarize>;
  let ratios: Record<string, number>;
  let name: string;
  /**
   * One run of variant `v` (plain, plain-headers, jaeger, otlp, jaeger-sink, otlp-sink, anchor, anchor-sink):
   * a sink started for the `-sink` ones, the worker run, the outage staged for traced ones.
   */
  let confluentPath: string | undefined;
  const runVariant = async (v: string, common: string[], round: number, topology: string): Promise<void> => {
    const sink = v.endsWith('-sink') ? new CollectorSink() : undefined;
    await sink?.start();
    const confluent = v.startsWith('confluent-');
    const exporter = v.startsWith('otlp') || v === 'confluent-otlp' ? 'otlp' : 'jaeger';
    const untraced = v === 'plain' || v === 'plain-headers' || v === 'confluent-plain';
    const workerVariant = v === 'confluent-plain' ? 'plain' : untraced ? v : v.startsWith('anchor') ? 'official' : 'ours';
    const env: Record<string, string> = sink ? { OTEL_EXPORTER_JAEGER_ENDPOINT: sink.jaegerEndpoint, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: sink.otlpEndpoint } : {};
    if (confluent) env.NODE_PATH = confluentPath ??= confluentNodePath();
    const client = confluent ? ['--client', 'confluent'] : [];
    const where = topology === 'cluster' ? CLUSTER : [];
    // Real Jaeger on the same cores: its CPU and stored spans, read before and after the run.
    const realJaeger = !sink && !untraced && topology !== 'cluster';
    const jaegerBefore = realJaeger ? await readJaeger(root) : undefined;
    if (realJaeger && !jaegerBefore) console.log("  Jaeger's pid or its metrics (:8888) could not be read: no Jaeger CPU or stored spans for this run");
    const r = await run(['--variant', workerVariant, ...client, ...(untraced ? [] : ['--exporter', exporter]), ...common, ...where], env, untraced ? undefined : outage(sink, values.outage));
    await sink?.stop();
    const jaeger = await jaegerUsageSince(root, jaegerBefore);
    results.push({ ...r, name: rowName(v, topology), topology, round, sinkSpans: sink?.spans, sinkErrors: sink?.errors, jaeger });
    const f = (x: unknown) => String(x);
    console.log(`  ${f(r.messagesPerSecond)} msg/s, ${f(r.cpuMicrosPerMessage)} µs CPU/msg, p99 ${f(r.latencyP99Ms)} ms, spans ${JSON.stringify(r.spans)}${sink ? `, sink received ${sink.spans}` : ''}${jaeger ? `, Jaeger stored ${jaeger.stored} (accepted ${JSON.stringify(jaeger.accepted)}) for ${jaeger.cpuSeconds} s CPU` : ''}`);
  };
  // Each variant against the plain run of its own client (kafkajs or Confluent's) in the same runs.
  const ratiosToPlain = (variants: string[], columns: [string, string][]): Record<string, number> => {
    const row = (k: string, col: string) => summary.table[k]?.[col] ?? NaN;
    const out: Record<string, number> = {};
    for (const topology of topologies) {
      for (const v of variants.filter((x) => x !== 'plain' && x !== 'confluent-plain')) {
        const base = rowName(v.startsWith('confluent-') ? 'confluent-plain' : 'plain', topology);
        const name = rowName(v, topology);
        for (const [col, label] of columns) out[`${name} / ${base} (${label})`] = +(row(name, col) / row(base, col)).toFixed(3);
      }
    }
    return out;
  };
  if (values.sustained) {
    name = 'sustained';
    const rate = Number(values.rate);
    const seconds = Number(values.duration);
    const common = ['--messages', String(rate * seconds), '--rate', String(rate), '--partitions', '32', '--size', '1200', '--batch', '100', '--inflight', '16'];
    const variants = values.variants!.split(',');
    for (let round = 1; round <= Number(values.repeat); round++) {
      // Plain kafkajs first in each round, on the same load: the latency floor of this broker on this machine.
      for (const topology of topologies) {
        for (const v of variants) {
          console.log(`sustained ${round}/${values.repeat}: ${rowName(v, topology)}, ${rate} msg/s for ${seconds} s ...`);
          await runVariant(v, common, round, topology);
        }
      }
    }
    summary = summarize(results, (r) => r.name as string);
    ratios = ratiosToPlain(variants, [
      ['cpu µs/msg', 'cpu µs/msg'],
      ['p99 ms', 'p99'],
      ['msg/s', 'msg/s'],
    ]);
  } else {
    name = 'e2e';
    const common = ['--messages', values.messages!, '--size', values.size!, '--partitions', values.partitions!, '--batch', values.batch!];
    // The burst: as fast as it goes. Default: plain, ours and the anchor, both exporting to the real Jaeger.
    const variants = process.argv.some((a) => a.startsWith('--variants')) ? values.variants!.split(',') : ['plain', 'jaeger', 'anchor'];
    for (let round = 1; round <= Number(values.rounds); round++) {
      for (const topology of topologies) {
        for (const v of variants) {
          console.log(`round ${round}: ${rowName(v, topology)} ...`);
          await runVariant(v, common, round, topology);
        }
      }
    }
    summary = summarize(results, (r) => r.name as string);
    ratios = ratiosToPlain(variants, [
      ['msg/s', 'throughput'],
      ['cpu µs/msg', 'cpu µs/msg'],
    ]);
  }
  console.log('medians:');
  console.table(summary.table);
  if (results.length > Object.keys(summary.table).length) {
    console.log('ranges (min–max over the runs):');
    console.table(summary.ranges);
  }
  if (Object.keys(ratios).length) console.table(ratios);
  const argv = process.argv.slice(2).join(' ');
  const out = { bench: name, date, machine, command: `npm run bench:e2e${argv ? ` -- ${argv}` : ''}`, table: summary.table, ranges: summary.ranges, ratios, runs: results };
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}-${date.slice(0, 19).replace(/:/g, '')}.json`);
  writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
  console.log(`written to ${file}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
