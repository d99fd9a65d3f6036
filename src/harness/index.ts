/**
 * `kafkajs-tracing/harness`: find traces in Jaeger through its query API, or capture spans in memory
 * without Jaeger, and assert the produce→consume chain. Throws plain errors, so it works with any test
 * runner.
 * @packageDocumentation
 */
export { JaegerQuery, JaegerQueryError, type FindTracesQuery, type JaegerQueryApi, type JaegerQueryOptions } from './jaeger-query';
export { waitForTrace, type WaitOptions } from './wait-for-trace';
export type { TraceSource } from './trace-source';
export { SpanCapture, type CapturedSpan, type CaptureExportResult } from './span-capture';
export { expectChain, type ChainOptions, type Hop } from './expect-chain';
export { renderTrace, traceUrl, treeOrder, type RenderOptions } from './render-trace';
export { normalizeId, toTraceView } from './trace-view';
export type { JaegerReference, JaegerSpan, JaegerTag, JaegerTrace, SpanKindName, SpanView, TraceView } from './types';
