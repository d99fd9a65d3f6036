// End-to-end benchmark on the real broker, exporting to the real Jaeger: the same workload as plain
// kafkajs, with our middleware, and with @opentelemetry/instrumentation-kafkajs, each variant in its
// own process, rounds interleaved (plain, ours, official, plain, ...), medians and ratios printed.
//
//   npm run bench:e2e                       # default workload
//   npm run bench:e2e -- --messages 50000 --rounds 3
//   npm run bench:e2e -- --sustained        # 12,000 msg/s for 60 s over 32 partitions, Jaeger vs OTLP
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadAnchor } from './anchor';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '2' },
    messages: { type: 'string', default: '20000' },
    size: { type: 'string', default: '1200' },
    partitions: { type: 'string', default: '8' },
    batch: { type: 'string', default: '50' },
    sustained: { type: 'boolean', default: false },
  },
});

const root = join(__dirname, '..');
type Result = Record<string, unknown> & { variant: string; exporter: string | null; messagesPerSecond: number; latencyP99Ms: number; cpuSeconds: number };

function run(args: string[]): Result {
  const res = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, 'e2e-worker.ts'), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, KAFKAJS_NO_PARTITIONER_WARNING: '1' },
    timeout: 15 * 60 * 1000,
  });
  const line = res.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (res.status !== 0 || !line) throw new Error(`worker ${args.join(' ')} failed (${res.status}):\n${res.stdout}\n${res.stderr}`);
  return JSON.parse(line.slice(7)) as Result;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

function summarize(results: Result[], key: (r: Result) => string): Record<string, Record<string, number>> {
  const groups = new Map<string, Result[]>();
  for (const r of results) groups.set(key(r), [...(groups.get(key(r)) ?? []), r]);
  const out: Record<string, Record<string, number>> = {};
  for (const [k, rs] of groups) {
    const spans = rs.map((r) => r.spans as { endedSpans: number; exportedSpans: number; droppedSpans: number; failedSpans: number } | null);
    out[k] = {
      'msg/s': median(rs.map((r) => r.messagesPerSecond)),
      'p50 ms': median(rs.map((r) => r.latencyP50Ms as number)),
      'p99 ms': median(rs.map((r) => r.latencyP99Ms)),
      'cpu s': median(rs.map((r) => r.cpuSeconds)),
      'peak RSS MiB': median(rs.map((r) => r.peakRssMiB as number)),
      'spans ended': median(spans.map((s) => s?.endedSpans ?? 0)),
      'spans exported': median(spans.map((s) => s?.exportedSpans ?? 0)),
      'spans dropped': median(spans.map((s) => (s ? s.droppedSpans + s.failedSpans : 0))),
    };
  }
  return out;
}

function main(): void {
  const date = new Date().toISOString();
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: +(totalmem() / 2 ** 30).toFixed(1), node: process.version, anchor: `@opentelemetry/instrumentation-kafkajs ${loadAnchor().version}` };
  const results: Result[] = [];
  let table: Record<string, Record<string, number>>;
  let ratios: Record<string, number>;
  let name: string;
  if (values.sustained) {
    name = 'sustained';
    const common = ['--messages', String(12000 * 60), '--rate', '12000', '--partitions', '32', '--size', '1200', '--batch', '100', '--inflight', '16'];
    // Plain kafkajs first, on the same load: the latency floor of this broker on this machine.
    for (const [variant, exporter] of [['plain', 'none'], ['ours', 'jaeger'], ['ours', 'otlp']] as const) {
      console.log(`sustained: ${variant}${exporter === 'none' ? '' : ` → ${exporter}`}, 12,000 msg/s for 60 s ...`);
      results.push(run(['--variant', variant, ...(exporter === 'none' ? [] : ['--exporter', exporter]), ...common]));
    }
    table = summarize(results, (r) => (r.exporter ? `ours → ${r.exporter}` : 'plain'));
    const row = (k: string, col: string) => table[k]?.[col] ?? NaN;
    ratios = {
      'ours→jaeger / plain (throughput)': +(row('ours → jaeger', 'msg/s') / row('plain', 'msg/s')).toFixed(3),
      'ours→jaeger / plain (p99)': +(row('ours → jaeger', 'p99 ms') / row('plain', 'p99 ms')).toFixed(3),
      'ours→jaeger / plain (cpu s)': +(row('ours → jaeger', 'cpu s') / row('plain', 'cpu s')).toFixed(3),
      'ours→jaeger / ours→otlp (cpu s)': +(row('ours → jaeger', 'cpu s') / row('ours → otlp', 'cpu s')).toFixed(3),
    };
  } else {
    name = 'e2e';
    const common = ['--messages', values.messages!, '--size', values.size!, '--partitions', values.partitions!, '--batch', values.batch!];
    for (let round = 1; round <= Number(values.rounds); round++) {
      for (const variant of ['plain', 'ours', 'official']) {
        console.log(`round ${round}: ${variant} ...`);
        results.push(run(['--variant', variant, ...common]));
      }
    }
    table = summarize(results, (r) => r.variant);
    const rate = (v: string) => table[v]?.['msg/s'] ?? NaN;
    ratios = {
      'ours / plain (throughput)': +(rate('ours') / rate('plain')).toFixed(3),
      'official / plain (throughput)': +(rate('official') / rate('plain')).toFixed(3),
      'ours / official (throughput)': +(rate('ours') / rate('official')).toFixed(3),
      'ours / official (cpu s)': +((table.ours?.['cpu s'] ?? NaN) / (table.official?.['cpu s'] ?? NaN)).toFixed(3),
    };
  }
  console.table(table);
  if (Object.keys(ratios).length) console.table(ratios);
  const argv = process.argv.slice(2).join(' ');
  const out = { bench: name, date, machine, command: `npm run bench:e2e${argv ? ` -- ${argv}` : ''}`, table, ratios, runs: results };
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}-${date.slice(0, 10)}.json`);
  writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
  console.log(`written to ${file}`);
}

main();
