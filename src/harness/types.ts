/** A key/value tag as Jaeger's query API returns it. */
export interface JaegerTag {
  /** Tag name, e.g. `messaging.destination.name`. */
  key: string;
  /** Jaeger's value type: `string`, `bool`, `int64`, `float64` or `binary`. */
  type?: string;
  /** Tag value, already decoded by the query API. */
  value: string | number | boolean;
}

/** A reference from one span to another: the parent (CHILD_OF) or a link (FOLLOWS_FROM). */
export interface JaegerReference {
  /** `CHILD_OF` for the parent, `FOLLOWS_FROM` for an OpenTelemetry link. */
  refType: 'CHILD_OF' | 'FOLLOWS_FROM';
  /** Trace of the referenced span (a link may point into another trace). */
  traceID: string;
  /** The referenced span. */
  spanID: string;
}

/**
 * A span in the JSON model of Jaeger's legacy query API (`/api/traces`), which `JaegerQuery` also
 * builds from `/api/v3`'s OTLP JSON; times in microseconds.
 */
export interface JaegerSpan {
  /** Trace id, hex. */
  traceID: string;
  /** Span id, hex. */
  spanID: string;
  /** Span name, e.g. `send orders`. */
  operationName: string;
  /** Parent and links. */
  references?: JaegerReference[] | null;
  /** Start, microseconds since the epoch. */
  startTime: number;
  /** Duration in microseconds. */
  duration: number;
  /** Attributes, plus Jaeger's own tags such as `span.kind` and `otel.status_code`. */
  tags?: JaegerTag[] | null;
  /** Span events. */
  logs?: { timestamp: number; fields: JaegerTag[] }[] | null;
  /** Key into the trace's `processes`: which service emitted the span. */
  processID: string;
  /** Problems Jaeger noticed while storing the span (clock skew, bad references). */
  warnings?: string[] | null;
}

/** A trace in the JSON model of Jaeger's legacy query API (see {@link JaegerSpan}). */
export interface JaegerTrace {
  /** Trace id, hex. */
  traceID: string;
  /** Every span Jaeger holds for the trace, in no particular order. */
  spans: JaegerSpan[];
  /** The services of the trace by process id, with their resource attributes as tags. */
  processes: Record<string, { serviceName: string; tags?: JaegerTag[] | null }>;
  /** Problems Jaeger noticed in the trace. */
  warnings?: string[] | null;
}

/** Span kinds as Jaeger tags them (`span.kind`). */
export type SpanKindName = 'producer' | 'consumer' | 'client' | 'server' | 'internal';

/** A span, flattened for assertions: parent and links resolved, tags as a record, service named. */
export interface SpanView {
  /** Trace id, 32 lowercase hex digits. */
  traceId: string;
  /** Span id, 16 lowercase hex digits. */
  spanId: string;
  /** The CHILD_OF reference's span id; undefined for a root. */
  parentSpanId: string | undefined;
  /** FOLLOWS_FROM references (OpenTelemetry links), possibly into other traces. */
  links: { traceId: string; spanId: string }[];
  /** Span name, e.g. `process orders`. */
  name: string;
  /** From the `span.kind` tag; `internal` when it has none. */
  kind: SpanKindName;
  /** `service.name` of the process that emitted the span. */
  service: string;
  /** Start, microseconds since the epoch. */
  startUs: number;
  /** Duration in microseconds. */
  durationUs: number;
  /** The span's tags by key. */
  tags: Record<string, string | number | boolean>;
  /** Whether the span is marked as an error (`error=true` or `otel.status_code=ERROR`). */
  error: boolean;
}

/** A trace, flattened for assertions. Spans are sorted by start time. */
export interface TraceView {
  /** Trace id, 32 lowercase hex digits. */
  traceId: string;
  /** The spans, earliest start first. */
  spans: SpanView[];
  /** The raw trace, for anything the view leaves out. */
  raw: JaegerTrace;
}
