import type { SpanView, TraceView } from './types';

/** Options of {@link renderTrace}. */
export interface RenderOptions {
  /** Width of the timeline bar in characters. Default 24; 0 leaves the bar out. */
  barWidth?: number;
  /** Draw the bar with `#` instead of block characters (for logs that mangle Unicode). */
  ascii?: boolean;
}

/**
 * Spans in tree order (parents before children, siblings by start time) with their depth. Every span
 * appears exactly once, whatever the trace: a span whose parent is missing is a root, and spans in a
 * parent cycle (a span that is its own parent, two spans each other's; traces from other systems can
 * be malformed) are shown from the earliest-started span of the cycle, as a root.
 */
export function treeOrder(trace: TraceView): { span: SpanView; depth: number }[] {
  const ids = new Set(trace.spans.map((s) => s.spanId));
  const children = new Map<string | undefined, SpanView[]>();
  for (const s of trace.spans) {
    const key = s.parentSpanId && ids.has(s.parentSpanId) ? s.parentSpanId : undefined;
    const list = children.get(key) ?? [];
    list.push(s);
    children.set(key, list);
  }
  for (const list of children.values()) list.sort((a, b) => a.startUs - b.startUs);
  const out: { span: SpanView; depth: number }[] = [];
  const seen = new Set<SpanView>();
  // An explicit stack: a chain thousands of spans deep must not overflow the call stack.
  const visit = (roots: SpanView[]): void => {
    const stack = roots.map((span) => ({ span, depth: 0 })).reverse();
    for (let item = stack.pop(); item; item = stack.pop()) {
      if (seen.has(item.span)) continue;
      seen.add(item.span);
      out.push(item);
      const kids = children.get(item.span.spanId) ?? [];
      for (let i = kids.length - 1; i >= 0; i--) stack.push({ span: kids[i] as SpanView, depth: item.depth + 1 });
    }
  };
  visit(children.get(undefined) ?? []);
  if (seen.size < trace.spans.length) {
    for (const s of [...trace.spans].sort((a, b) => a.startUs - b.startUs)) if (!seen.has(s)) visit([s]);
  }
  return out;
}

const ms = (us: number): string => (us / 1000).toFixed(2);

/**
 * A text waterfall of a trace: one line per span in tree order with service, span name (indented
 * under its parent), kind, start offset and duration in milliseconds, an error marker and a bar.
 *
 * @example
 * console.log(renderTrace(await waitForTrace(jaeger, traceId)));
 */
export function renderTrace(trace: TraceView, options: RenderOptions = {}): string {
  const width = options.barWidth ?? 24;
  const rows = treeOrder(trace);
  if (rows.length === 0) return `trace ${trace.traceId}: 0 spans`;
  const t0 = Math.min(...trace.spans.map((s) => s.startUs));
  const t1 = Math.max(...trace.spans.map((s) => s.startUs + s.durationUs));
  const total = Math.max(1, t1 - t0);
  const services = new Set(trace.spans.map((s) => s.service));
  const serviceWidth = Math.max(7, ...rows.map((r) => r.span.service.length));
  const nameWidth = Math.max(4, ...rows.map((r) => r.depth * 2 + r.span.name.length));
  const [full, empty] = options.ascii ? ['#', '.'] : ['█', '·'];
  const lines = [
    `trace ${trace.traceId}: ${trace.spans.length} spans, ${services.size} services, ${ms(total)} ms`,
    `${'service'.padEnd(serviceWidth)}  ${'span'.padEnd(nameWidth)}  ${'kind'.padEnd(8)}  ${'start ms'.padStart(9)}  ${'dur ms'.padStart(9)}${width > 0 ? '  timeline' : ''}`,
  ];
  for (const { span, depth } of rows) {
    let bar = '';
    if (width > 0) {
      const from = Math.min(width - 1, Math.floor(((span.startUs - t0) / total) * width));
      const len = Math.max(1, Math.round((span.durationUs / total) * width));
      const to = Math.min(width, from + len);
      bar = `  ${empty.repeat(from)}${full.repeat(to - from)}${empty.repeat(width - to)}`;
    }
    const name = `${'  '.repeat(depth)}${span.name}`;
    lines.push(
      `${span.service.padEnd(serviceWidth)}  ${name.padEnd(nameWidth)}  ${span.kind.padEnd(8)}  ${ms(span.startUs - t0).padStart(9)}  ${ms(span.durationUs).padStart(9)}${bar}${span.error ? '  ERROR' : ''}`,
    );
  }
  return lines.join('\n');
}

/** The Jaeger UI address of a trace. */
export function traceUrl(baseUrl: string, traceId: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/trace/${traceId}`;
}
