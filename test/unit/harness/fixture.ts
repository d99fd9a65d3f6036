// A raw Jaeger trace of the order pipeline, shaped as Jaeger's query API returns it, built by code so
// tests can vary it: checkout → orders → payments → payments topic → notifications.
import type { JaegerSpan, JaegerTrace } from '../../../src/harness/index';

export const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';

function span(spanID: string, operationName: string, kind: string, processID: string, startMs: number, durMs: number, parent?: string, extraTags: JaegerSpan['tags'] = []): JaegerSpan {
  return {
    traceID: TRACE_ID,
    spanID,
    operationName,
    references: parent ? [{ refType: 'CHILD_OF', traceID: TRACE_ID, spanID: parent }] : [],
    startTime: 1_700_000_000_000_000 + startMs * 1000,
    duration: durMs * 1000,
    tags: [{ key: 'span.kind', type: 'string', value: kind }, ...(extraTags ?? [])],
    logs: [],
    processID,
    warnings: null,
  };
}

export function pipelineTrace(): JaegerTrace {
  return {
    traceID: TRACE_ID,
    spans: [
      // deliberately not in start order: the harness sorts
      span('00000000000000a4', 'process payments', 'consumer', 'p3', 12, 4, '00000000000000a3'),
      span('00000000000000a1', 'send orders', 'producer', 'p1', 0, 3),
      span('00000000000000a2', 'process orders', 'consumer', 'p2', 4, 6, '00000000000000a1'),
      span('00000000000000b1', 'charge card', 'internal', 'p2', 5, 2, '00000000000000a2', [{ key: 'error', type: 'bool', value: true }]),
      span('00000000000000a3', 'send payments', 'producer', 'p2', 8, 2, '00000000000000b1'),
    ],
    processes: {
      p1: { serviceName: 'checkout', tags: [] },
      p2: { serviceName: 'payments', tags: [] },
      p3: { serviceName: 'notifications', tags: [] },
    },
    warnings: null,
  };
}
