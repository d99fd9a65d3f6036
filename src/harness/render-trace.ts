import type { SpanView, TraceView } from './types';

/** Options of {@link renderTrace}. */
export interface RenderOptions {
  /** Width of the timeline bar in characters. Default 24; 0 leaves the bar out. */
  barWidth?: number;
  /** Draw the bar with `#` instead of block characters (for logs that mangle Unicode). */
  ascii?: boolean;
}

/** Spans in tree order (parents before children, siblings by start time) with their depth. */
export function treeOrder(trace: TraceView): { span: SpanView; depth: number }[] {
  const ids = new Set(trace.spans.map((s) => s.spanId));
  const children = new Map<string | undefined, SpanView[]>();
  for (const s of trace.spans) {
    // A span whose parent is not in this trace (or is missing) is shown as a root.
    const key = s.parentSpanId && ids.has(s.parentSpanId) ? s.parentSpanId : undefined;
    const list = children.get(key) ?? [];
    list.push(s);
    children.set(key, list);
  }
  const out: { span: SpanView; depth: number }[] = [];
  const visit = (parent: string | undefined, depth: number): void => {
    for (const s of (children.get(parent) ?? []).sort((a, b) => a.startUs - b.startUs)) {
      out.push({ span: s, depth });
      visit(s.spanId, depth + 1);
    }
  };
  visit(undefined, 0);
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
