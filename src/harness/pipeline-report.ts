import { JaegerQuery } from './jaeger-query';
import { DEFAULT_QUERY_URL, queryOptionsFromEnv } from './query-env';
import { toTraceView } from './trace-view';
import type { SpanView, TraceView } from './types';

/** Queue time and time since origin of one hop (topic, producer service → consumer service) over many traces. */
export interface PipelineHop {
  topic: string;
  producer: string;
  consumer: string;
  /** Messages seen on this hop. */
  count: number;
  /** Milliseconds each message waited in the topic: p50, p95, max. */
  queueMs: Percentiles;
  /** Milliseconds from the pipeline's origin to the start of this hop's processing: p50, p95, max. */
  sinceOriginMs: Percentiles;
}

/** Nearest-rank percentiles of a sample. */
export interface Percentiles {
  p50: number;
  p95: number;
  max: number;
}

function percentiles(values: number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
  return { p50: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1] as number };
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined);

/**
 * The hops of the pipelines in `traces`: every consumer span whose parent is a producer span is one
 * message crossing one topic. Queue time and time since origin come from the attributes the
 * middleware records (`kafkajs_tracing.queue_time_ms`, `kafkajs_tracing.pipeline.latency_ms`, read
 * with the message's own timestamp and carried origin); spans without them (other instrumentation)
 * fall back to span start times: consumer start − producer start, and consumer start − the trace's
 * first producer span. Hops are ordered by their median time since origin.
 */
export function pipelineHops(traces: TraceView[]): PipelineHop[] {
  const hops = new Map<string, { topic: string; producer: string; consumer: string; queue: number[]; origin: number[] }>();
  for (const trace of traces) {
    const byId = new Map(trace.spans.map((s) => [s.spanId, s]));
    const producers = trace.spans.filter((s) => s.kind === 'producer');
    if (producers.length === 0) continue;
    const firstProduce = Math.min(...producers.map((s) => s.startUs));
    for (const span of trace.spans) {
      const parent: SpanView | undefined = span.parentSpanId ? byId.get(span.parentSpanId) : undefined;
      if (span.kind !== 'consumer' || parent?.kind !== 'producer') continue;
      const topic = String(span.tags['messaging.destination.name'] ?? span.name.replace(/^process /, ''));
      const key = `${topic}\u0000${parent.service}\u0000${span.service}`;
      let hop = hops.get(key);
      if (!hop) hops.set(key, (hop = { topic, producer: parent.service, consumer: span.service, queue: [], origin: [] }));
      hop.queue.push(
        num(span.tags['kafkajs_tracing.queue_time_ms']) ?? num(span.tags['messaging.kafka.message.end_to_end_latency_ms']) ?? Math.max(0, (span.startUs - parent.startUs) / 1000),
      );
      hop.origin.push(num(span.tags['kafkajs_tracing.pipeline.latency_ms']) ?? Math.max(0, (span.startUs - firstProduce) / 1000));
    }
  }
  return [...hops.values()]
    .map((h) => ({ topic: h.topic, producer: h.producer, consumer: h.consumer, count: h.queue.length, queueMs: percentiles(h.queue), sinceOriginMs: percentiles(h.origin) }))
    .sort((a, b) => a.sinceOriginMs.p50 - b.sinceOriginMs.p50);
}

function fmt(ms: number): string {
  if (ms >= 60_000) return `${(ms / 60_000).toFixed(1)} min`;
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 100) return `${Math.round(ms)} ms`;
  return `${ms.toFixed(1)} ms`;
}

/**
 * A table of the hops and a bar chart of the median time since origin at each hop, the hop's own
 * queue time drawn in a lighter shade at the bar's end.
 */
export function renderPipeline(hops: PipelineHop[], options: { barWidth?: number; ascii?: boolean } = {}): string {
  if (hops.length === 0) return 'no producer → consumer hops in these traces';
  const width = options.barWidth ?? 40;
  const [before, queued] = options.ascii ? ['#', '='] : ['█', '░'];
  const topicWidth = Math.max(...hops.map((h) => h.topic.length));
  const names = hops.map((h) => `${h.topic.padEnd(topicWidth)}  ${h.producer} → ${h.consumer}`);
  const nameWidth = Math.max(4, ...names.map((n) => n.length));
  const cell = (p: Percentiles) => [p.p50, p.p95, p.max].map((v) => fmt(v).padStart(9)).join('');
  const lines = [
    `${'hop'.padEnd(nameWidth)}  ${'msgs'.padStart(5)}  ${'queue time p50 / p95 / max'.padStart(27)}  ${'since origin p50 / p95 / max'.padStart(27)}`,
  ];
  hops.forEach((h, i) => lines.push(`${(names[i] as string).padEnd(nameWidth)}  ${String(h.count).padStart(5)}  ${cell(h.queueMs)}  ${cell(h.sinceOriginMs)}`));
  const scale = Math.max(...hops.map((h) => h.sinceOriginMs.p50), 1e-9);
  lines.push('', `time since origin, p50 (${before} before this hop, ${queued} waiting in its topic):`);
  hops.forEach((h, i) => {
    const total = Math.max(1, Math.round((h.sinceOriginMs.p50 / scale) * width));
    const wait = Math.min(total, Math.round((Math.min(h.queueMs.p50, h.sinceOriginMs.p50) / scale) * width));
    lines.push(`${(names[i] as string).padEnd(nameWidth)}  ${before.repeat(total - wait)}${queued.repeat(wait)}${' '.repeat(width - total)}  ${fmt(h.sinceOriginMs.p50)}`);
  });
  return lines.join('\n');
}

const USAGE = `usage: kafkajs-tracing pipeline --service <entry service> [--limit <n>] [--lookback <1h>] [--jaeger <url>] [--ascii]

Reads the entry service's recent traces from Jaeger and prints each hop of the pipeline (topic,
producer → consumer service) with p50/p95/max queue time and time since origin, and a bar chart.
Credentials and trust come from the same environment variables as \`kafkajs-tracing trace\` (see its --help).`;

/**
 * `kafkajs-tracing pipeline`: per-hop queue time and time since origin from recent traces.
 * Returns the exit code: 0 printed, 1 nothing found or Jaeger unreachable, 2 usage.
 * @internal
 */
export async function pipelineCommand(argv: string[], out: (line: string) => void, err: (line: string) => void): Promise<number> {
  const args = { service: '', limit: 100, lookback: '1h', jaeger: process.env.JAEGER_QUERY_URL || DEFAULT_QUERY_URL, ascii: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const value = argv[i + 1];
    const needsValue = ['--service', '--limit', '--lookback', '--jaeger'].includes(a);
    if (needsValue && (value === undefined || value.startsWith('--'))) {
      err(`${a} needs a value\n${USAGE}`);
      return 2;
    }
    if (a === '--service') args.service = argv[++i] as string;
    else if (a === '--limit') args.limit = Number(argv[++i]);
    else if (a === '--lookback') args.lookback = argv[++i] as string;
    else if (a === '--jaeger') args.jaeger = argv[++i] as string;
    else if (a === '--ascii') args.ascii = true;
    else if (a === '--help' || a === '-h') {
      out(USAGE);
      return 0;
    } else {
      err(`unknown argument ${a}\n${USAGE}`);
      return 2;
    }
  }
  if (!args.service || !Number.isInteger(args.limit) || args.limit < 1) {
    err(args.service ? `--limit must be a positive integer\n${USAGE}` : `--service is required\n${USAGE}`);
    return 2;
  }
  let query: JaegerQuery;
  try {
    query = new JaegerQuery(args.jaeger, queryOptionsFromEnv());
  } catch (e) {
    err((e as Error).message);
    return 2;
  }
  try {
    const traces = (await query.findTraces({ service: args.service, limit: args.limit, lookback: args.lookback })).map(toTraceView);
    const hops = pipelineHops(traces);
    if (hops.length === 0) {
      err(`no Kafka hops in the last ${args.lookback} of traces of service ${args.service} in Jaeger at ${query.baseUrl}`);
      return 1;
    }
    out(`pipeline from ${args.service}: ${traces.length} traces, ${hops.length} hops (last ${args.lookback}, Jaeger at ${query.baseUrl})\n`);
    out(renderPipeline(hops, { ascii: args.ascii }));
    return 0;
  } catch (e) {
    err((e as Error).message);
    return 1;
  }
}
