// OTLP JSON from /api/v3 → the Jaeger JSON model the legacy /api/traces returns, field by field as
// Jaeger itself converts (the collector-contrib translator `ProtoFromTraces`, then Jaeger's UI JSON
// converter), so that a trace reads the same whichever endpoint it came from.
import type { OtlpAnyValue, OtlpKeyValue, OtlpResourceSpans, OtlpScope, OtlpSpan } from './otlp-json';
import { adjustLikeLegacy, type SpanProcess } from './legacy-adjusters';
import type { JaegerReference, JaegerSpan, JaegerTag, JaegerTrace } from './types';

/** Jaeger's service name for a resource without attributes (collector-contrib's `ResourceNoServiceName`). */
const NO_SERVICE_NAME = 'OTLPResourceNoServiceName';
/** The span attribute where Jaeger keeps its warnings in OTLP (`jptrace.WarningsAttribute`). */
const WARNINGS_ATTRIBUTE = '@jaeger@warnings';
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const KIND_NAMES = ['', 'internal', 'server', 'client', 'producer', 'consumer'];
const KIND_ENUM: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};
const STATUS_ENUM: Record<string, number> = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 };

/**
 * An OTLP id as lowercase hex: OTLP JSON and Jaeger ≥ 1.53 send hex; the grpc-gateway of Jaeger
 * 1.50–1.52 sent the protobuf `bytes` as base64. `bytes` is 16 (trace) or 8 (span). Empty or
 * unreadable ids come back as all zeros, which the caller treats as absent.
 */
export function otlpIdToHex(id: string | undefined, bytes: 8 | 16): string {
  const hexLength = bytes * 2;
  if (!id) return '0'.repeat(hexLength);
  if (id.length === hexLength && /^[0-9a-fA-F]+$/.test(id)) return id.toLowerCase();
  const b64Padded = Math.ceil(bytes / 3) * 4;
  if (id.length <= b64Padded && /^[A-Za-z0-9+/_-]+={0,2}$/.test(id)) {
    const raw = Buffer.from(id.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (raw.length === bytes) return raw.toString('hex');
  }
  return '0'.repeat(hexLength);
}

/** A trace id as Jaeger's JSON writes it: 16 hex digits when the high half is zero, else 32. */
function jaegerTraceId(hex32: string): string {
  return hex32.startsWith('0000000000000000') ? hex32.slice(16) : hex32;
}

/** Nanoseconds as a BigInt (the protobuf JSON mapping sends uint64 as a string). */
function nanos(v: string | number | undefined): bigint {
  if (v === undefined || v === '') return 0n;
  try {
    return BigInt(typeof v === 'number' ? Math.trunc(v) : v);
  } catch {
    return 0n;
  }
}

/** Microseconds since the epoch, truncated as Jaeger's `TimeAsEpochMicroseconds`. */
function micros(ns: bigint): number {
  return Number(ns / 1000n);
}

function enumValue(v: number | string | undefined, names: Record<string, number>): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return names[v] ?? (/^\d+$/.test(v) ? Number(v) : 0);
  return 0;
}

/** An int64 as Jaeger's JSON writes it: a number when JavaScript holds it exactly, else its decimal string. */
function int64(v: string | number): number | string {
  if (typeof v === 'number') return v;
  try {
    const big = BigInt(v);
    return big > MAX_SAFE || big < -MAX_SAFE ? big.toString() : Number(big);
  } catch {
    return v;
  }
}

function double(v: number | string): number | string {
  return typeof v === 'number' ? v : Number(v);
}

/** Base64 in the standard alphabet with padding, as Go's JSON encoder writes `[]byte`. */
function base64Std(v: string): string {
  return Buffer.from(v.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('base64');
}

/** A JSON string as Go's `json.Marshal` writes it: `<`, `>`, `&`, U+2028 and U+2029 escaped. */
function goJsonString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * JSON of a value as pcommon's `Value.AsString` writes arrays and maps (Go's `json.Marshal` of the
 * raw value): map keys sorted, 64-bit integers exact, bytes in base64, an empty value as `null`.
 */
function rawJson(v: OtlpAnyValue | null | undefined): string {
  if (!v) return 'null';
  if (v.stringValue !== undefined) return goJsonString(v.stringValue);
  if (v.boolValue !== undefined) return String(v.boolValue);
  if (v.intValue !== undefined) {
    try {
      return BigInt(v.intValue).toString();
    } catch {
      return JSON.stringify(String(v.intValue));
    }
  }
  if (v.doubleValue !== undefined) {
    const d = Number(v.doubleValue);
    return Number.isFinite(d) ? JSON.stringify(d) : 'null';
  }
  if (v.bytesValue !== undefined) return JSON.stringify(base64Std(v.bytesValue));
  if (v.arrayValue) return `[${(v.arrayValue.values ?? []).map(rawJson).join(',')}]`;
  if (v.kvlistValue) {
    const entries = new Map<string, OtlpAnyValue | null | undefined>();
    for (const kv of v.kvlistValue.values ?? []) entries.set(kv.key, kv.value);
    const keys = [...entries.keys()].sort();
    return `{${keys.map((k) => `${goJsonString(k)}:${rawJson(entries.get(k))}`).join(',')}}`;
  }
  return 'null';
}

/** An attribute as a Jaeger tag, with the types and values Jaeger's legacy JSON gives it. */
export function attributeToTag(kv: OtlpKeyValue): JaegerTag {
  const v = kv.value ?? {};
  if (v.stringValue !== undefined) return { key: kv.key, type: 'string', value: v.stringValue };
  if (v.boolValue !== undefined) return { key: kv.key, type: 'bool', value: v.boolValue };
  if (v.intValue !== undefined) return { key: kv.key, type: 'int64', value: int64(v.intValue) };
  if (v.doubleValue !== undefined) return { key: kv.key, type: 'float64', value: double(v.doubleValue) };
  if (v.bytesValue !== undefined) return { key: kv.key, type: 'binary', value: base64Std(v.bytesValue) };
  if (v.arrayValue || v.kvlistValue) return { key: kv.key, type: 'string', value: rawJson(v) };
  // An empty value: pcommon's AsString gives "" and the translator leaves the string type.
  return { key: kv.key, type: 'string', value: '' };
}

function stringTag(key: string, value: string): JaegerTag {
  return { key, type: 'string', value };
}

function spanTags(span: OtlpSpan, scope: OtlpScope | null | undefined): JaegerTag[] {
  const tags: JaegerTag[] = [];
  if (scope?.name) tags.push(stringTag('otel.scope.name', scope.name));
  if (scope?.version) tags.push(stringTag('otel.scope.version', scope.version));
  for (const kv of span.attributes ?? []) if (kv.key !== WARNINGS_ATTRIBUTE) tags.push(attributeToTag(kv));
  const kind = KIND_NAMES[enumValue(span.kind, KIND_ENUM)];
  if (kind) tags.push(stringTag('span.kind', kind));
  const code = enumValue(span.status?.code, STATUS_ENUM);
  if (code === 1) tags.push(stringTag('otel.status_code', 'OK'));
  if (code === 2) tags.push(stringTag('otel.status_code', 'ERROR'), { key: 'error', type: 'bool', value: true });
  if (span.status?.message) tags.push(stringTag('otel.status_description', span.status.message));
  if (span.traceState) tags.push(stringTag('w3c.tracestate', span.traceState));
  return tags;
}

function spanWarnings(span: OtlpSpan): string[] | null {
  const attr = span.attributes?.find((kv) => kv.key === WARNINGS_ATTRIBUTE);
  if (!attr) return null;
  const list = attr.value?.arrayValue?.values;
  if (list) return list.map((v) => v.stringValue ?? rawJson(v));
  return [attributeToTag(attr).value.toString()];
}

/**
 * The parent as CHILD_OF first, then each link as FOLLOWS_FROM (CHILD_OF when the link carries
 * `opentracing.ref_type=child_of`); a link to the parent itself only changes the parent's type.
 */
function references(span: OtlpSpan, traceHex: string): JaegerReference[] {
  const refs: JaegerReference[] = [];
  const parent = otlpIdToHex(span.parentSpanId, 8);
  const hasParent = !/^0+$/.test(parent);
  if (hasParent) refs.push({ refType: 'CHILD_OF', traceID: jaegerTraceId(traceHex), spanID: parent });
  for (const link of span.links ?? []) {
    const linkTrace = otlpIdToHex(link.traceId, 16);
    const linkSpan = otlpIdToHex(link.spanId, 8);
    const refTypeAttr = link.attributes?.find((kv) => kv.key === 'opentracing.ref_type')?.value?.stringValue;
    const refType = refTypeAttr === 'child_of' ? 'CHILD_OF' : 'FOLLOWS_FROM';
    const first = refs[0];
    if (hasParent && first && linkTrace === traceHex && linkSpan === parent) {
      first.refType = refType;
      continue;
    }
    refs.push({ refType, traceID: jaegerTraceId(linkTrace), spanID: linkSpan });
  }
  return refs;
}

function logs(span: OtlpSpan): NonNullable<JaegerSpan['logs']> {
  return (span.events ?? []).map((event) => {
    const fields: JaegerTag[] = [];
    const attrs = event.attributes ?? [];
    // The event's name becomes an `event` field unless an attribute already has that key.
    if (event.name && !attrs.some((kv) => kv.key === 'event')) fields.push(stringTag('event', event.name));
    for (const kv of attrs) fields.push(attributeToTag(kv));
    return { timestamp: micros(nanos(event.timeUnixNano)), fields };
  });
}

function process(rs: OtlpResourceSpans): SpanProcess {
  const attrs = rs.resource?.attributes ?? [];
  if (attrs.length === 0) return { serviceName: NO_SERVICE_NAME, tags: [] };
  const service = attrs.find((kv) => kv.key === 'service.name');
  return {
    serviceName: service?.value?.stringValue ?? '',
    tags: attrs.filter((kv) => kv.key !== 'service.name').map(attributeToTag),
  };
}

/**
 * Converts the resource spans of a v3 answer into Jaeger traces, one per trace id, in the order each
 * trace first appears, each span adjusted as the legacy query service adjusts it. Processes are
 * numbered `p1`, `p2`… per trace in order of first use, equal processes sharing one key, as Jaeger's JSON does.
 */
export function tracesFromOtlp(resourceSpans: OtlpResourceSpans[]): JaegerTrace[] {
  const traces = new Map<string, { trace: JaegerTrace; processKeys: Map<string, string> }>();
  for (const rs of resourceSpans) {
    const resourceProcess = process(rs);
    for (const ss of rs.scopeSpans ?? rs.instrumentationLibrarySpans ?? []) {
      const scope = ss.scope ?? ss.instrumentationLibrary;
      for (const otlpSpan of ss.spans ?? []) {
        const traceHex = otlpIdToHex(otlpSpan.traceId, 16);
        let entry = traces.get(traceHex);
        if (!entry) {
          entry = { trace: { traceID: jaegerTraceId(traceHex), spans: [], processes: {}, warnings: null }, processKeys: new Map() };
          traces.set(traceHex, entry);
        }
        const start = nanos(otlpSpan.startTimeUnixNano);
        const end = nanos(otlpSpan.endTimeUnixNano);
        const converted: JaegerSpan = {
          traceID: jaegerTraceId(traceHex),
          spanID: otlpIdToHex(otlpSpan.spanId, 8),
          operationName: otlpSpan.name ?? '',
          references: references(otlpSpan, traceHex),
          startTime: micros(start),
          duration: micros(end - start),
          tags: spanTags(otlpSpan, scope),
          logs: logs(otlpSpan),
          processID: '',
          warnings: spanWarnings(otlpSpan),
        };
        const { span, process: proc } = adjustLikeLegacy(converted, resourceProcess);
        const identity = JSON.stringify([proc.serviceName, proc.tags]);
        let processID = entry.processKeys.get(identity);
        if (!processID) {
          processID = `p${entry.processKeys.size + 1}`;
          entry.processKeys.set(identity, processID);
          entry.trace.processes[processID] = proc;
        }
        entry.trace.spans.push({ ...span, processID });
      }
    }
  }
  return [...traces.values()].map((e) => e.trace);
}
