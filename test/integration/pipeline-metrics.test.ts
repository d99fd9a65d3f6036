// The example pipeline's metrics, scraped by a real Prometheus (Debian's package) from the services'
// own endpoints and read back with PromQL over the HTTP API: consumer lag per partition and group (a
// deliberately slow `notifications` falls behind, then drains), the pipeline latency of each hop since
// the order was placed, and every query of the Grafana dashboard in examples/.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { TOPICS } from '../../examples/order-pipeline/config';
import { KAFKA_BROKERS } from '../support/env';
import { createTopics, testKafka } from '../support/kafka';
import { freePort, startPrometheus, type Prometheus, type PromSeries } from '../support/prometheus';

const root = join(__dirname, '..', '..');
const ORDERS = 40;
const SLOW_MAIL_MS = 150;
const children: ChildProcess[] = [];

function service(file: string, env: Record<string, string>, args: string[] = []): { child: ChildProcess; line(prefix: string): Promise<string> } {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'examples/order-pipeline', file), ...args], {
    cwd: root,
    env: { ...process.env, KAFKA_BROKERS: KAFKA_BROKERS.join(','), OTEL_BSP_SCHEDULE_DELAY: '500', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]();
  const line = async (prefix: string) => {
    for (;;) {
      const next = await lines.next();
      if (next.done) throw new Error(`${file} ended before printing ${prefix}`);
      if (next.value.startsWith(prefix)) return next.value;
    }
  };
  return { child, line };
}

const values = (s: PromSeries | undefined): number[] => (s?.values ?? []).map(([, v]) => Number(v));
const key = (s: PromSeries, labels: string[]) => labels.map((l) => s.metric[l]).join(' ');

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe('pipeline metrics in a real Prometheus', { timeout: 180000 }, () => {
  let prom: Prometheus;
  let started = 0;
  const LAG = 'kafkajs_tracing_consumer_lag_messages{messaging_consumer_group_name="notifications",messaging_destination_name="payments"}';
  const AGE = 'kafkajs_tracing_consumer_lag_age{messaging_consumer_group_name="notifications",messaging_destination_name="payments"}';

  before(async () => {
    const ports = { payments: await freePort(), notifications: await freePort() };
    prom = await startPrometheus([`127.0.0.1:${ports.payments}`, `127.0.0.1:${ports.notifications}`]);
    await createTopics(testKafka('pipeline-metrics-admin'), Object.values(TOPICS));
    const payments = service('payments.ts', { METRICS_PORT: String(ports.payments) });
    const notifications = service('notifications.ts', { METRICS_PORT: String(ports.notifications), NOTIFICATIONS_DELAY_MS: String(SLOW_MAIL_MS) });
    await Promise.all([payments.line('READY'), notifications.line('READY')]);
    started = Date.now();
    // 40 orders, one every 40 ms: notifications needs 150 ms each, so it falls behind by design.
    const checkout = service('checkout.ts', {}, [`load-${Date.now().toString(36)}`, '--count', String(ORDERS), '--every', '40']);
    await new Promise((r) => checkout.child.once('exit', r));
    assert.equal(checkout.child.exitCode, 0, 'checkout placed its orders');
    // Wait until Prometheus has seen the slow consumer behind, and then caught up again.
    await until('notifications to fall behind (lag > 0 in Prometheus)', async () => {
      const r = await prom.queryRange(LAG, started, Date.now());
      return Math.max(0, ...values(r[0])) > 0 ? true : undefined;
    });
    await until('notifications to drain its lag (0 in Prometheus)', async () => {
      const [s] = await prom.query(`${LAG} == 0`);
      return s ? true : undefined;
    });
    await new Promise((r) => setTimeout(r, 2500)); // two more scrapes of the final histograms
  });

  after(async () => {
    await Promise.all(children.filter((c) => c.exitCode === null).map((c) => new Promise((r) => (c.once('exit', r), c.kill('SIGTERM')))));
    await prom?.stop();
  });

  it('lag of the held-back consumer grows, then drains to 0 messages and 0 s', async () => {
    const [lag] = await prom.queryRange(LAG, started, Date.now());
    const series = values(lag);
    const peak = Math.max(...series);
    assert.ok(peak >= 5, `lag in messages peaked at ${peak}: ${series.join(' ')}`);
    // Before the load the series did not exist (or was 0): it grew to the peak, then drained to 0.
    const firstAt = (lag?.values?.[0]?.[0] ?? 0) * 1000;
    assert.ok(firstAt > started || (series[0] as number) < peak, `it grew to the peak: ${series.join(' ')}`);
    assert.equal(series[series.length - 1], 0, `and drained: ${series.join(' ')}`);
    // In seconds it grows scrape after scrape while the consumer is behind (the next message only ages).
    const [age] = await prom.queryRange(AGE, started, Date.now());
    const ages = values(age);
    const top = ages.indexOf(Math.max(...ages));
    // (at least over the last two scrapes before the peak: the series starts with the consumer's first
    // batch, which on a busy machine can come late in the backlog)
    assert.ok(ages[top] as number >= 0.5 && top >= 1 && (ages[top - 1] as number) < (ages[top] as number), `lag in seconds grows to its peak: ${ages.join(' ')}`);
    assert.equal(ages[ages.length - 1], 0, `caught up: 0 s (${ages.join(' ')})`);
    // The fast consumer has lag series too, per partition, and ends caught up.
    const payments = await prom.query('kafkajs_tracing_consumer_lag_messages{messaging_consumer_group_name="payments",messaging_destination_name="orders"}');
    assert.ok(payments.length >= 1 && payments.every((s) => s.metric.messaging_destination_partition_id !== undefined && Number(s.value?.[1]) === 0));
  });

  it('records the time since the order was placed at each hop: checkout → payments → notifications', async () => {
    const by = 'kafkajs_tracing_pipeline_entry, messaging_destination_name, messaging_consumer_group_name';
    const counts = await prom.query(`sum by (${by}) (kafkajs_tracing_pipeline_latency_count)`);
    const hops = new Map(counts.map((s) => [key(s, ['kafkajs_tracing_pipeline_entry', 'messaging_destination_name', 'messaging_consumer_group_name']), Number(s.value?.[1])]));
    assert.equal(hops.get('orders orders payments'), ORDERS, `hop 1: ${JSON.stringify([...hops])}`);
    assert.equal(hops.get('orders payments notifications'), ORDERS, `hop 2: ${JSON.stringify([...hops])}`);
    const p95 = await prom.query(`histogram_quantile(0.95, sum by (le, ${by}) (kafkajs_tracing_pipeline_latency_bucket))`);
    const q = new Map(p95.map((s) => [s.metric.messaging_consumer_group_name, Number(s.value?.[1])]));
    const first = q.get('payments') as number;
    const second = q.get('notifications') as number;
    assert.ok(first > 0 && first < 2, `hop 1 p95 ${first} s`);
    // The held-back hop waits behind up to ~40 × 150 ms of mail: its time since origin is far longer.
    assert.ok(second > first && second > 1, `hop 2 p95 ${second} s vs hop 1 ${first} s`);
    const queue = await prom.query('sum by (messaging_destination_name) (kafkajs_tracing_queue_time_count)');
    assert.deepEqual(queue.map((s) => [s.metric.messaging_destination_name, Number(s.value?.[1])]).sort(), [['orders', ORDERS], ['payments', ORDERS]]);
  });

  it('every PromQL query of the Grafana dashboard returns data', async () => {
    const dashboard = JSON.parse(readFileSync(join(root, 'examples/grafana/kafka-pipeline-dashboard.json'), 'utf8')) as {
      panels: { title: string; targets: { expr: string }[] }[];
    };
    const queries = dashboard.panels.flatMap((p) => p.targets.map((t) => ({ panel: p.title, expr: t.expr })));
    assert.ok(queries.length >= 6);
    // Rates need traffic inside their window, as on a live dashboard: a few more orders, a few scrapes.
    const checkout = service('checkout.ts', {}, [`live-${Date.now().toString(36)}`, '--count', '5', '--every', '300']);
    await new Promise((r) => checkout.child.once('exit', r));
    await new Promise((r) => setTimeout(r, 3000));
    for (const { panel, expr } of queries) {
      const result = await prom.query(expr);
      assert.ok(result.length > 0, `"${panel}": no data for ${expr}`);
      for (const s of result) assert.ok(Number.isFinite(Number(s.value?.[1])), `"${panel}": ${expr} gave ${s.value?.[1]} for ${JSON.stringify(s.metric)}`);
    }
  });
});
