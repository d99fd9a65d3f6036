// A real Prometheus (Debian's `prometheus` package, installed by .ci/run) for metrics tests: a
// generated config scraping the given targets every second, a free port on 127.0.0.1 and a temp data
// dir, so it never meets a Prometheus service the package may have started. Stopped by `stop()`.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A free TCP port on 127.0.0.1 (asked of the kernel, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** One sample series of a PromQL answer. */
export interface PromSeries {
  metric: Record<string, string>;
  /** Instant queries: [time, value]. */
  value?: [number, string];
  /** Range queries: [time, value] per step. */
  values?: [number, string][];
}

export interface Prometheus {
  url: string;
  /** Instant query; throws on an API error (a PromQL syntax error names the query). */
  query(promql: string): Promise<PromSeries[]>;
  /** Range query over [start, end] (ms since epoch) with `stepS` seconds between samples. */
  queryRange(promql: string, startMs: number, endMs: number, stepS?: number): Promise<PromSeries[]>;
  /** Stops the process and removes its data dir. */
  stop(): Promise<void>;
}

export async function startPrometheus(targets: string[], scrapeInterval = '1s'): Promise<Prometheus> {
  if (spawnSync('prometheus', ['--version'], { stdio: 'ignore' }).status !== 0) {
    throw new Error("the metrics tests need Prometheus: Debian's `prometheus` package (bash .ci/run installs it: apt-get install prometheus)");
  }
  const dir = mkdtempSync(join(tmpdir(), 'kafkajs-tracing-prometheus-'));
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    [
      'global:',
      `  scrape_interval: ${scrapeInterval}`,
      `  evaluation_interval: ${scrapeInterval}`,
      'scrape_configs:',
      '  - job_name: order-pipeline',
      '    static_configs:',
      `      - targets: [${targets.map((t) => `'${t}'`).join(', ')}]`,
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // argv[0] stays `prometheus`, so `pkill -f 'prometheus --config'` in /work's lock wrapper finds a leftover.
  const child: ChildProcess = spawn(
    'prometheus',
    [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr?.on('data', (d: Buffer) => void (log = (log + d.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited (${child.exitCode}):\n${log}`);
    const ready = await fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
    if (ready) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus not ready on ${url} after 30 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const api = async (path: string, params: Record<string, string>): Promise<PromSeries[]> => {
    const res = await fetch(`${url}${path}?${new URLSearchParams(params).toString()}`);
    const body = (await res.json()) as { status: string; error?: string; data?: { result: PromSeries[] } };
    if (body.status !== 'success') throw new Error(`PromQL ${params.query}: ${body.error ?? res.status}`);
    return body.data?.result ?? [];
  };
  return {
    url,
    query: (promql) => api('/api/v1/query', { query: promql }),
    queryRange: (promql, startMs, endMs, stepS = 1) =>
      api('/api/v1/query_range', { query: promql, start: String(startMs / 1000), end: String(endMs / 1000), step: String(stepS) }),
    stop,
  };
}
