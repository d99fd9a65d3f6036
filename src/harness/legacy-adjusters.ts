// What Jaeger's legacy query service does to every span after reading it and before writing its JSON
// (the v1 `StandardAdjusters` of cmd/query/app/querysvc, Jaeger 2.13): tags sorted, the `event` log
// field first, integer IPs written as dotted quads, OpenTelemetry SDK tags moved to the process,
// references without a trace id dropped, the parent reference first. Applied to spans converted from
// /api/v3, it makes them read as the legacy endpoint would have returned them.
import type { JaegerSpan, JaegerTag } from './types';

/** A span's process before processes are numbered. */
export interface SpanProcess {
  serviceName: string;
  tags: JaegerTag[];
}

const TYPE_ORDER: Record<string, number> = { string: 0, bool: 1, int64: 2, float64: 3, binary: 4 };
const IP_TAGS = new Set(['ip', 'peer.ipv4']);
/** Tags the OTel tag adjuster moves from a span to its process (`otelLibraryKeys`). */
const SDK_TAGS = new Set(['telemetry.sdk.language', 'telemetry.sdk.name', 'telemetry.sdk.version', 'telemetry.distro.name', 'telemetry.distro.version']);

function compareValues(a: JaegerTag['value'], b: JaegerTag['value']): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return Buffer.compare(Buffer.from(String(a)), Buffer.from(String(b)));
}

/** Jaeger's `KeyValue.Compare`: by key (bytes), then value type, then value. */
function compareTags(a: JaegerTag, b: JaegerTag): number {
  return Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)) || (TYPE_ORDER[a.type ?? 'string'] ?? 0) - (TYPE_ORDER[b.type ?? 'string'] ?? 0) || compareValues(a.value, b.value);
}

function sortTags(tags: JaegerTag[]): JaegerTag[] {
  return [...tags].sort(compareTags);
}

/** An integer `ip` / `peer.ipv4` tag as the dotted quad of its low 32 bits. */
function ipTags(tags: JaegerTag[]): JaegerTag[] {
  return tags.map((t) => {
    if (!IP_TAGS.has(t.key) || (t.type !== 'int64' && t.type !== 'float64')) return t;
    const n = Number(BigInt.asUintN(32, BigInt(Math.trunc(Number(t.value)))));
    return { key: t.key, type: 'string', value: [24, 16, 8, 0].map((shift) => (n >>> shift) & 255).join('.') };
  });
}

/** Applies the legacy adjusters to one span and its process, in Jaeger's order. */
export function adjustLikeLegacy(span: JaegerSpan, process: SpanProcess): { span: JaegerSpan; process: SpanProcess } {
  let tags = sortTags(span.tags ?? []);
  const logs = (span.logs ?? []).map((log) => {
    const at = log.fields.findIndex((f) => f.key === 'event' && (f.type ?? 'string') === 'string');
    if (at < 0) return { ...log, fields: sortTags(log.fields) };
    const rest = log.fields.filter((_f, i) => i !== at);
    return { ...log, fields: [log.fields[at] as JaegerTag, ...sortTags(rest)] };
  });
  let processTags = sortTags(process.tags);
  tags = ipTags(tags);
  processTags = sortTags(ipTags(processTags));
  processTags = sortTags([...processTags, ...tags.filter((t) => SDK_TAGS.has(t.key))]);
  tags = tags.filter((t) => !SDK_TAGS.has(t.key));
  // Jaeger also adds a warning naming each reference it drops; those come only from malformed data.
  const refs = (span.references ?? []).filter((r) => !/^0*$/.test(r.traceID));
  // The parent (the first CHILD_OF in the span's own trace, else its first reference there) goes first.
  const own = (id: string) => id.padStart(32, '0') === span.traceID.padStart(32, '0');
  let first = refs.findIndex((r) => own(r.traceID) && r.refType === 'CHILD_OF');
  if (first < 0) first = refs.findIndex((r) => own(r.traceID));
  if (first > 0) [refs[0], refs[first]] = [refs[first] as (typeof refs)[number], refs[0] as (typeof refs)[number]];
  return { span: { ...span, tags, logs, references: refs }, process: { serviceName: process.serviceName, tags: processTags } };
}
