/** A key/value tag as Jaeger's query API returns it. */
export interface JaegerTag {
  key: string;
  type?: string;
  value: string | number | boolean;
}

/** A reference from one span to another: the parent (CHILD_OF) or a link (FOLLOWS_FROM). */
export interface JaegerReference {
  refType: 'CHILD_OF' | 'FOLLOWS_FROM';
  traceID: string;
  spanID: string;
}

/** A span as Jaeger's query API (`/api/traces`) returns it; times in microseconds. */
export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references?: JaegerReference[] | null;
  startTime: number;
  duration: number;
  tags?: JaegerTag[] | null;
  logs?: { timestamp: number; fields: JaegerTag[] }[] | null;
  processID: string;
  warnings?: string[] | null;
}

/** A trace as Jaeger's query API returns it. */
export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string; tags?: JaegerTag[] | null }>;
  warnings?: string[] | null;
}

/** Span kinds as Jaeger tags them (`span.kind`). */
export type SpanKindName = 'producer' | 'consumer' | 'client' | 'server' | 'internal';

/** A span, flattened for assertions: parent and links resolved, tags as a record, service named. */
export interface SpanView {
  traceId: string;
  spanId: string;
  /** The CHILD_OF reference's span id; undefined for a root. */
  parentSpanId: string | undefined;
  /** FOLLOWS_FROM references (OpenTelemetry links), possibly into other traces. */
  links: { traceId: string; spanId: string }[];
  name: string;
  kind: SpanKindName;
  service: string;
  startUs: number;
  durationUs: number;
  tags: Record<string, string | number | boolean>;
  /** Whether the span is marked as an error (`error=true` or `otel.status_code=ERROR`). */
  error: boolean;
}

/** A trace, flattened for assertions. Spans are sorted by start time. */
export interface TraceView {
  traceId: string;
  spans: SpanView[];
  /** The raw trace, for anything the view leaves out. */
  raw: JaegerTrace;
}
