// In-memory span capture: an OpenTelemetry SpanExporter by shape (the harness entry loads nothing
// from node_modules, so the SDK's interfaces are matched structurally, never imported) that keeps
// finished spans and answers getTrace() in Jaeger's shape, so waitForTrace, expectChain and
// renderTrace read captured spans exactly as they read Jaeger's.
import { normalizeId, toTraceView } from './trace-view';
import type { TraceSource } from './trace-source';
import type { JaegerSpan, JaegerTag, JaegerTrace, TraceView } from './types';

// Times are OpenTelemetry's HrTime, `[seconds, nanoseconds]`. Attribute values other than scalars
// (arrays) become JSON text, as Jaeger stores them. Both are spelled out in the public interface so
// the API reference needs no private alias.
type HrTime = CapturedSpan['startTime'];
type Attributes = CapturedSpan['attributes'];

/**
 * The fields of an SDK `ReadableSpan` the capture reads (SDK 2.x and 3.x); an SDK span is one.
 */
export interface CapturedSpan {
  /** Span name. */
  readonly name: string;
  /** OpenTelemetry `SpanKind`: 0 internal, 1 server, 2 client, 3 producer, 4 consumer. */
  readonly kind: number;
  /** Ids of the span, and its W3C trace state. */
  spanContext(): { traceId: string; spanId: string; traceState?: { serialize(): string } | undefined };
  /** The parent's context (SDK 2.x and later); undefined for a root. */
  readonly parentSpanContext?: { spanId: string } | undefined;
  /** Start time, `[seconds, nanoseconds]` since the epoch. */
  readonly startTime: readonly [number, number];
  /** Duration, `[seconds, nanoseconds]`. */
  readonly duration: readonly [number, number];
  /** Status: code 2 is an error. */
  readonly status: { code: number; message?: string | undefined };
  /** Attributes. */
  readonly attributes: Readonly<Record<string, unknown>>;
  /** Links to other spans. */
  readonly links: readonly { context: { traceId: string; spanId: string } }[];
  /** Events, e.g. a recorded exception. */
  readonly events: readonly { name: string; time: readonly [number, number]; attributes?: Readonly<Record<string, unknown>> | undefined }[];
  /** The resource of the provider that made the span; `service.name` names its service. */
  readonly resource: { readonly attributes: Readonly<Record<string, unknown>> };
  /** The tracer's scope. */
  readonly instrumentationScope?: { name: string; version?: string | undefined } | undefined;
}

/** What an exporter reports back to its span processor (the SDK's `ExportResult`). */
export interface CaptureExportResult {
  /** 0: success (the SDK's `ExportResultCode.SUCCESS`). */
  code: number;
  /** Why an export failed. */
  error?: Error;
}

const KIND_NAMES = ['internal', 'server', 'client', 'producer', 'consumer'] as const;
const STATUS_ERROR = 2;
const STATUS_OK = 1;

const micros = (t: HrTime): number => Math.round(t[0] * 1e6 + t[1] / 1e3);

/** A tag as Jaeger's query API answers it: scalars as they are, anything else as JSON text. */
function tag(key: string, value: unknown): JaegerTag | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return { key, value };
  return { key, value: JSON.stringify(value) };
}

const tags = (attributes: Attributes | undefined, skip?: string): JaegerTag[] =>
  Object.entries(attributes ?? {}).flatMap(([key, value]) => (key === skip ? [] : (tag(key, value) ?? [])));

/**
 * Keeps finished spans in memory and serves them as traces: a Jaeger-free trace source for tests.
 * Give it to a span processor of the provider the code under test uses (it is a `SpanExporter`), then
 * read traces with {@link waitForTrace}, {@link expectChain} and {@link renderTrace} as from Jaeger.
 * Spans stay readable after the provider shut down; {@link SpanCapture.reset} forgets them.
 *
 * @example
 * ```ts
 * import { SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
 * import { SpanCapture, waitForTrace, expectChain } from 'kafkajs-tracing/harness';
 *
 * const capture = new SpanCapture();
 * const processor = new SimpleSpanProcessor(capture); // add it to your test's tracer provider
 * // ... produce and consume ...
 * const trace = await waitForTrace(capture, traceId, { minSpans: 2 });
 * expectChain(trace, ['send orders', 'process orders']);
 * ```
 */
export class SpanCapture implements TraceSource {
  readonly #traces = new Map<string, JaegerSpan[]>();
  readonly #processes = new Map<string, { id: string; serviceName: string; tags: JaegerTag[] }>();

  /** Keeps the spans; always succeeds (the SDK's `SpanExporter.export`). */
  export(spans: readonly CapturedSpan[], resultCallback: (result: CaptureExportResult) => void): void {
    for (const span of spans) this.#keep(span);
    resultCallback({ code: 0 });
  }

  /** Nothing to release: the spans stay readable after the provider shut down. */
  shutdown(): Promise<void> {
    return Promise.resolve();
  }

  /** Nothing is buffered: every span is kept when exported. */
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  /** The captured spans of a trace in Jaeger's shape, or undefined when none was captured. */
  getTrace(traceId: string): Promise<JaegerTrace | undefined> {
    return Promise.resolve(this.#raw(normalizeId(traceId)));
  }

  /** A captured trace as a {@link TraceView}, at once (no waiting), or undefined. */
  trace(traceId: string): TraceView | undefined {
    const raw = this.#raw(normalizeId(traceId));
    return raw && toTraceView(raw);
  }

  /** Every captured trace, in the order their first span was captured. */
  traces(): TraceView[] {
    return [...this.#traces.keys()].map((id) => toTraceView(this.#raw(id) as JaegerTrace));
  }

  /** Forgets every captured span (between tests). */
  reset(): void {
    this.#traces.clear();
    this.#processes.clear();
  }

  #raw(traceId: string): JaegerTrace | undefined {
    const spans = this.#traces.get(traceId);
    if (!spans) return undefined;
    const processes: JaegerTrace['processes'] = {};
    for (const p of this.#processes.values()) {
      if (spans.some((s) => s.processID === p.id)) processes[p.id] = { serviceName: p.serviceName, tags: p.tags };
    }
    return { traceID: traceId, spans: [...spans], processes };
  }

  /** One process per service and resource, as Jaeger groups a trace's spans. */
  #processOf(resource: Attributes): string {
    const serviceName = String(resource['service.name'] ?? 'unknown_service');
    const processTags = tags(resource, 'service.name');
    const key = JSON.stringify([serviceName, processTags]);
    let process = this.#processes.get(key);
    if (!process) {
      process = { id: `p${this.#processes.size + 1}`, serviceName, tags: processTags };
      this.#processes.set(key, process);
    }
    return process.id;
  }

  #keep(span: CapturedSpan): void {
    const ctx = span.spanContext();
    const traceId = normalizeId(ctx.traceId);
    const extra: (JaegerTag | undefined)[] = [
      span.kind > 0 ? tag('span.kind', KIND_NAMES[span.kind]) : undefined,
      span.status.code === STATUS_ERROR ? tag('otel.status_code', 'ERROR') : span.status.code === STATUS_OK ? tag('otel.status_code', 'OK') : undefined,
      span.status.code === STATUS_ERROR ? tag('error', true) : undefined,
      span.status.message ? tag('otel.status_description', span.status.message) : undefined,
      tag('otel.scope.name', span.instrumentationScope?.name),
      tag('otel.scope.version', span.instrumentationScope?.version),
      tag('w3c.tracestate', ctx.traceState?.serialize() || undefined),
    ];
    const parent = span.parentSpanContext?.spanId;
    const references: JaegerSpan['references'] = [
      ...(parent ? [{ refType: 'CHILD_OF' as const, traceID: traceId, spanID: parent }] : []),
      ...span.links.map((l) => ({ refType: 'FOLLOWS_FROM' as const, traceID: l.context.traceId, spanID: l.context.spanId })),
    ];
    const kept: JaegerSpan = {
      traceID: traceId,
      spanID: ctx.spanId,
      operationName: span.name,
      references,
      startTime: micros(span.startTime),
      duration: micros(span.duration),
      tags: [...tags(span.attributes), ...extra.filter((t): t is JaegerTag => t !== undefined)],
      logs: span.events.map((e) => ({ timestamp: micros(e.time), fields: [{ key: 'event', value: e.name }, ...tags(e.attributes)] })),
      processID: this.#processOf(span.resource.attributes),
    };
    const list = this.#traces.get(traceId) ?? [];
    list.push(kept);
    this.#traces.set(traceId, list);
  }
}
