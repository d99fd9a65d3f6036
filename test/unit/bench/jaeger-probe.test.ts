// The benchmark reads what Jaeger stored from its collector's Prometheus metrics: the parse must sum
// transports per receiver and count only the storage exporter, as Jaeger 2.13 exposes them on :8888.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spanCounters } from '../../../bench/jaeger-probe';

const scope = 'otel_scope_name="go.opentelemetry.io/collector/receiver/receiverhelper",otel_scope_schema_url="",otel_scope_version=""';
const exposition = [
  '# HELP otelcol_receiver_accepted_spans_total Number of spans successfully pushed into the pipeline. [Alpha]',
  '# TYPE otelcol_receiver_accepted_spans_total counter',
  `otelcol_receiver_accepted_spans_total{${scope},receiver="jaeger",transport="collector_http"} 23`,
  `otelcol_receiver_accepted_spans_total{${scope},receiver="otlp",transport="grpc"} 4`,
  `otelcol_receiver_accepted_spans_total{${scope},receiver="otlp",transport="http"} 1e+06`,
  `otelcol_receiver_refused_spans_total{${scope},receiver="otlp",transport="http"} 7`,
  'otelcol_exporter_sent_spans_total{exporter="jaeger_storage_exporter",otel_scope_name="go.opentelemetry.io/collector/exporter/exporterhelper",otel_scope_schema_url="",otel_scope_version=""} 1000027',
  'otelcol_exporter_sent_spans_total{exporter="debug",otel_scope_name="x"} 5',
  'otelcol_exporter_send_failed_spans_total{exporter="jaeger_storage_exporter",otel_scope_name="x"} 3',
  'otelcol_exporter_sent_spans_total_other{exporter="jaeger_storage_exporter"} 99',
].join('\n');

describe('spanCounters', () => {
  it('sums each receiver over its transports and counts only the storage exporter', () => {
    assert.deepEqual(spanCounters(exposition), {
      accepted: { jaeger: 23, otlp: 1_000_004 },
      refused: { otlp: 7 },
      stored: 1_000_027,
      storeFailed: 3,
    });
  });

  it('reads zero stored before Jaeger has seen a span (the counters are not exposed yet)', () => {
    assert.deepEqual(spanCounters('# HELP otelcol_process_uptime_seconds_total x\notelcol_process_uptime_seconds_total{a="b"} 3\n'), {
      accepted: {},
      refused: {},
      stored: 0,
      storeFailed: 0,
    });
  });
});
