// The OTLP JSON that Jaeger's /api/v3 returns, read leniently: what the protobuf JSON mapping allows
// (64-bit integers as strings or numbers, enums as numbers or names) and what older Jaeger releases
// sent (ids in base64 from the grpc-gateway of 1.50–1.52, `instrumentationLibrarySpans` before 1.50,
// several `{"result": …}` chunks where the gateway streamed a server-streaming call).

/** An OTLP `AnyValue` as JSON: exactly one of the fields is set; an empty object is an empty value. */
export interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  /** int64: a decimal string (the protobuf JSON mapping) or a number. */
  intValue?: string | number;
  /** double: a number, or `"NaN"`, `"Infinity"`, `"-Infinity"`. */
  doubleValue?: number | string;
  /** bytes: base64. */
  bytesValue?: string;
  arrayValue?: { values?: OtlpAnyValue[] | null };
  kvlistValue?: { values?: OtlpKeyValue[] | null };
}

/** An OTLP `KeyValue`. */
export interface OtlpKeyValue {
  key: string;
  value?: OtlpAnyValue | null;
}

/** An OTLP span event. */
export interface OtlpEvent {
  timeUnixNano?: string | number;
  name?: string;
  attributes?: OtlpKeyValue[] | null;
}

/** An OTLP span link. */
export interface OtlpLink {
  traceId?: string;
  spanId?: string;
  traceState?: string;
  attributes?: OtlpKeyValue[] | null;
}

/** An OTLP span. */
export interface OtlpSpan {
  traceId?: string;
  spanId?: string;
  parentSpanId?: string;
  traceState?: string;
  name?: string;
  /** `SpanKind`: a number (0–5) or its enum name (`SPAN_KIND_SERVER`). */
  kind?: number | string;
  startTimeUnixNano?: string | number;
  endTimeUnixNano?: string | number;
  attributes?: OtlpKeyValue[] | null;
  events?: OtlpEvent[] | null;
  links?: OtlpLink[] | null;
  /** `code`: a number (0 unset, 1 ok, 2 error) or its enum name (`STATUS_CODE_ERROR`). */
  status?: { code?: number | string; message?: string } | null;
}

/** An instrumentation scope, or the instrumentation library of OTLP before 0.15. */
export interface OtlpScope {
  name?: string;
  version?: string;
}

/** The spans of one scope. */
export interface OtlpScopeSpans {
  scope?: OtlpScope | null;
  /** The name before OTLP 0.15 (Jaeger before 1.50). */
  instrumentationLibrary?: OtlpScope | null;
  spans?: OtlpSpan[] | null;
}

/** The spans of one resource (one process). */
export interface OtlpResourceSpans {
  resource?: { attributes?: OtlpKeyValue[] | null } | null;
  scopeSpans?: OtlpScopeSpans[] | null;
  /** The name before OTLP 0.15 (Jaeger before 1.50). */
  instrumentationLibrarySpans?: OtlpScopeSpans[] | null;
}

/** An error as the v3 gateway writes it (`{"error": {"httpCode", "message"}}`, or a gRPC status). */
export interface V3Error {
  httpCode?: number;
  code?: number;
  message?: string;
}

/** One parsed answer of a v3 trace endpoint: every resource's spans of every chunk, and an error chunk if one came. */
export interface V3TracesAnswer {
  resourceSpans: OtlpResourceSpans[];
  error?: V3Error;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Splits a body into its top-level JSON values: one object, or several one after another (a
 * streamed answer, newline-delimited or not). Throws `SyntaxError` on anything else.
 */
export function splitJsonValues(text: string): unknown[] {
  const values: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') {
      if (depth === 0) start = i;
      depth++;
    } else if (c === '}' || c === ']') {
      depth--;
      if (depth < 0) throw new SyntaxError(`unexpected ${c} at ${i}`);
      if (depth === 0) values.push(JSON.parse(text.slice(start, i + 1)));
    } else if (depth === 0 && !/\s/.test(c as string)) {
      throw new SyntaxError(`unexpected ${c} at ${i} outside a JSON object`);
    }
  }
  if (depth !== 0 || inString) throw new SyntaxError('the JSON ends inside a value');
  return values;
}

/**
 * Reads the body of `GET /api/v3/traces/{id}` or `GET /api/v3/traces`: `{"result": TracesData}`
 * chunks (or bare `TracesData`), possibly an `{"error": …}` chunk. Throws `SyntaxError` when the
 * body is not that.
 */
export function parseV3Traces(text: string): V3TracesAnswer {
  const answer: V3TracesAnswer = { resourceSpans: [] };
  const chunks = splitJsonValues(text);
  if (chunks.length === 0) throw new SyntaxError('empty body');
  for (const chunk of chunks) {
    if (!isObject(chunk)) throw new SyntaxError('a chunk is not a JSON object');
    if (isObject(chunk.error)) {
      answer.error = chunk.error as V3Error;
      continue;
    }
    const data = isObject(chunk.result) ? chunk.result : chunk;
    const rs = data.resourceSpans;
    if (rs === undefined || rs === null) {
      if ('result' in chunk) continue; // an empty result chunk: no spans
      throw new SyntaxError('neither a result nor resourceSpans');
    }
    if (!Array.isArray(rs)) throw new SyntaxError('resourceSpans is not an array');
    answer.resourceSpans.push(...(rs as OtlpResourceSpans[]));
  }
  return answer;
}

/** Reads a v3 error body (`{"error": {...}}` or a gRPC status `{code, message}`), or undefined. */
export function parseV3Error(text: string): V3Error | undefined {
  try {
    const body: unknown = JSON.parse(text);
    if (!isObject(body)) return undefined;
    if (isObject(body.error)) return body.error as V3Error;
    if (typeof body.code === 'number' && typeof body.message === 'string') return { code: body.code, message: body.message };
  } catch {
    // not JSON: not the v3 gateway's answer
  }
  return undefined;
}
