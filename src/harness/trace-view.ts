import type { JaegerTrace, SpanKindName, SpanView, TraceView } from './types';

const KINDS = new Set<SpanKindName>(['producer', 'consumer', 'client', 'server', 'internal']);

/** Jaeger may drop leading zeros of a 128-bit trace id; ids are compared as 32 (or 16) lowercase hex. */
export function normalizeId(id: string, length: 16 | 32 = 32): string {
  return id.toLowerCase().padStart(length, '0');
}

/** Flattens a raw Jaeger trace into a {@link TraceView}. */
export function toTraceView(raw: JaegerTrace): TraceView {
  const spans: SpanView[] = raw.spans.map((s) => {
    const tags: Record<string, string | number | boolean> = {};
    for (const t of s.tags ?? []) tags[t.key] = t.value;
    const refs = s.references ?? [];
    const parent = refs.find((r) => r.refType === 'CHILD_OF');
    const kind = String(tags['span.kind'] ?? 'internal') as SpanKindName;
    return {
      traceId: normalizeId(s.traceID),
      spanId: normalizeId(s.spanID, 16),
      parentSpanId: parent ? normalizeId(parent.spanID, 16) : undefined,
      links: refs.filter((r) => r.refType === 'FOLLOWS_FROM').map((r) => ({ traceId: normalizeId(r.traceID), spanId: normalizeId(r.spanID, 16) })),
      name: s.operationName,
      kind: KINDS.has(kind) ? kind : 'internal',
      service: raw.processes[s.processID]?.serviceName ?? '?',
      startUs: s.startTime,
      durationUs: s.duration,
      tags,
      error: tags['error'] === true || tags['otel.status_code'] === 'ERROR',
    };
  });
  spans.sort((a, b) => a.startUs - b.startUs || a.name.localeCompare(b.name));
  return { traceId: normalizeId(raw.traceID), spans, raw };
}
