// What the real Jaeger spent on a variant's spans: its process's CPU time (from /proc) and the spans its
// collector pipeline accepted and stored (from the collector's own Prometheus metrics on its telemetry
// port, 8888 in scripts/jaeger/config.yaml). Taken before and after a run; the difference is the run's.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One reading of Jaeger's counters. */
export interface JaegerReading {
  pid: number;
  /** User + system CPU seconds of the Jaeger process since it started. */
  cpuSeconds: number;
  /** `otelcol_receiver_accepted_spans_total`, summed over transports, per receiver (`otlp`, `jaeger`, ...). */
  accepted: Record<string, number>;
  /** `otelcol_receiver_refused_spans_total` per receiver. */
  refused: Record<string, number>;
  /** `otelcol_exporter_sent_spans_total` of the storage exporter: spans written to the store. */
  stored: number;
  /** `otelcol_exporter_send_failed_spans_total` of the storage exporter. */
  storeFailed: number;
}

/** A run's share of Jaeger's work. */
export interface JaegerUsage {
  cpuSeconds: number;
  accepted: Record<string, number>;
  refused: Record<string, number>;
  stored: number;
  storeFailed: number;
}

const METRICS_URL = process.env.JAEGER_METRICS_URL ?? 'http://127.0.0.1:8888/metrics';
let ticks: number | undefined;

/** Clock ticks per second, the unit of utime/stime in /proc/<pid>/stat. */
function clockTicks(): number {
  if (ticks === undefined) {
    try {
      ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

/** The pid of the Jaeger that scripts/infra.sh started (its pid file), else the only process named `jaeger`. */
function jaegerPid(root: string): number | undefined {
  const alive = (pid: number) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'jaeger';
    } catch {
      return false;
    }
  };
  try {
    const pid = Number(readFileSync(join(process.env.INFRA_CACHE_DIR ?? join(root, '.cache'), 'run', 'jaeger.pid'), 'utf8').trim());
    if (alive(pid)) return pid;
  } catch {
    // no pid file: Jaeger started some other way
  }
  try {
    const pids = execFileSync('pgrep', ['-x', 'jaeger'], { encoding: 'utf8' }).trim().split('\n').map(Number);
    return pids.length === 1 ? pids[0] : undefined;
  } catch {
    return undefined;
  }
}

function processCpuSeconds(pid: number): number {
  // Fields after the command name (which may hold spaces) start at field 3, state; utime and stime are 14 and 15.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clockTicks();
}

/** Sums a Prometheus counter's samples by one label (all samples under '' when `label` is undefined). */
function counter(text: string, name: string, label?: string, filter?: (labels: string) => boolean): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const labels = line.slice(name.length + 1, line.lastIndexOf('}'));
    if (filter && !filter(labels)) continue;
    const key = label ? (new RegExp(`(?:^|,)${label}="([^"]*)"`).exec(labels)?.[1] ?? '') : '';
    out[key] = (out[key] ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return out;
}

/** Reads Jaeger's CPU time and span counters now; undefined when Jaeger or its metrics cannot be read. */
export async function readJaeger(root: string): Promise<JaegerReading | undefined> {
  const pid = jaegerPid(root);
  if (pid === undefined) return undefined;
  let text: string;
  try {
    const res = await fetch(METRICS_URL);
    if (!res.ok) return undefined;
    text = await res.text();
  } catch {
    return undefined;
  }
  return { pid, cpuSeconds: processCpuSeconds(pid), ...spanCounters(text) };
}

/** The collector's span counters in a Prometheus text exposition from Jaeger's telemetry port. */
export function spanCounters(text: string): Omit<JaegerReading, 'pid' | 'cpuSeconds'> {
  const storage = (labels: string) => labels.includes('exporter="jaeger_storage_exporter"');
  return {
    accepted: counter(text, 'otelcol_receiver_accepted_spans_total', 'receiver'),
    refused: counter(text, 'otelcol_receiver_refused_spans_total', 'receiver'),
    stored: counter(text, 'otelcol_exporter_sent_spans_total', undefined, storage)[''] ?? 0,
    storeFailed: counter(text, 'otelcol_exporter_send_failed_spans_total', undefined, storage)[''] ?? 0,
  };
}

/**
 * Waits until Jaeger has stored what it was sent (its stored count unchanged for `quietMs`, at most
 * `maxMs`), then returns the work since `before`; undefined if Jaeger restarted in between (an outage).
 */
export async function jaegerUsageSince(root: string, before: JaegerReading | undefined, quietMs = 1500, maxMs = 20_000): Promise<JaegerUsage | undefined> {
  if (!before) return undefined;
  const deadline = Date.now() + maxMs;
  let last = await readJaeger(root);
  let quietSince = Date.now();
  while (last && Date.now() < deadline && Date.now() - quietSince < quietMs) {
    await new Promise((r) => setTimeout(r, 250));
    const next = await readJaeger(root);
    if (!next || next.stored !== last.stored) quietSince = Date.now();
    last = next;
  }
  if (!last || last.pid !== before.pid) return undefined;
  // Receivers this run did not use are left out.
  const diff = (a: Record<string, number>, b: Record<string, number>) =>
    Object.fromEntries(Object.keys(a).map((k) => [k, a[k]! - (b[k] ?? 0)]).filter(([, n]) => n !== 0));
  return {
    cpuSeconds: +(last.cpuSeconds - before.cpuSeconds).toFixed(2),
    accepted: diff(last.accepted, before.accepted),
    refused: diff(last.refused, before.refused),
    stored: last.stored - before.stored,
    storeFailed: last.storeFailed - before.storeFailed,
  };
}
