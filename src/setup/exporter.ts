import { diag } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import type { ReadableSpan, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Resource } from '@opentelemetry/resources';
import { JaegerHttpExporter, jaegerAgentExporter } from './jaeger-exporter';
import type { TracingOptions } from './tracing-options';

/** Default collector endpoint: the local Jaeger that `npm run infra:up` starts. */
export const DEFAULT_JAEGER_ENDPOINT = 'http://127.0.0.1:14268/api/traces';

/** Export outcomes, as counted by {@link CountingExporter}. */
export interface ExportStats {
  /** Sampled spans that ended and were handed to the batch processor. */
  endedSpans: number;
  /** Spans the exporter reported as delivered. */
  exportedSpans: number;
  /** Spans in export calls that failed (collector down, refused, timed out). */
  failedSpans: number;
  /** Export calls that failed. */
  failedExports: number;
  /**
   * Spans the batch processor's queue dropped because it was full (ended − exported − failed), as of
   * the last `forceFlush()` or `shutdown()` that resolved: only then is nothing queued or in flight.
   */
  droppedSpans: number;
}

/**
 * Wraps the real exporter to count outcomes and report the first failure once through the
 * OpenTelemetry diagnostic logger, instead of letting a Jaeger outage flood the application's logs
 * or throw into it. A recovery is reported once too.
 * @internal
 */
export class CountingExporter implements SpanExporter {
  readonly stats: Omit<ExportStats, 'endedSpans' | 'droppedSpans'> = { exportedSpans: 0, failedSpans: 0, failedExports: 0 };
  private failing = false;

  constructor(
    private readonly inner: SpanExporter,
    private readonly label: string,
  ) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    const done = (result: ExportResult): void => {
      if (result.code === ExportResultCode.SUCCESS) {
        this.stats.exportedSpans += spans.length;
        if (this.failing) diag.info(`kafkajs-tracing: export to ${this.label} works again`);
        this.failing = false;
      } else {
        this.stats.failedSpans += spans.length;
        this.stats.failedExports++;
        if (!this.failing) {
          diag.warn(`kafkajs-tracing: export to ${this.label} failed (spans are dropped until it recovers): ${result.error?.message ?? 'unknown error'}`);
        }
        this.failing = true;
      }
      resultCallback(result);
    };
    try {
      this.inner.export(spans, done);
    } catch (err) {
      done({ code: ExportResultCode.FAILED, error: err instanceof Error ? err : new Error(String(err)) });
    }
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush ? this.inner.forceFlush() : Promise.resolve();
  }
}

/** Builds the exporter the options (or, failing those, the `OTEL_*` variables) ask for. @internal */
export function createExporter(options: TracingOptions, resource?: Resource, exportTimeoutMillis = 30_000): { exporter: SpanExporter; label: string } {
  const choice = options.exporter ?? (process.env.OTEL_TRACES_EXPORTER?.trim() === 'otlp' ? 'otlp' : 'jaeger');
  if (typeof choice === 'object') return { exporter: choice, label: choice.constructor?.name ?? 'custom exporter' };
  if (choice === 'otlp') {
    const o = options.otlp ?? {};
    return { exporter: new OTLPTraceExporter({ url: o.url, headers: o.headers }), label: `OTLP ${o.url ?? '(from environment)'}` };
  }
  const j = options.jaeger ?? {};
  const agentHost = j.agentHost ?? process.env.OTEL_EXPORTER_JAEGER_AGENT_HOST;
  const endpoint = j.endpoint ?? process.env.OTEL_EXPORTER_JAEGER_ENDPOINT ?? (agentHost ? undefined : DEFAULT_JAEGER_ENDPOINT);
  if (endpoint) {
    const exporter = new JaegerHttpExporter({
      endpoint,
      username: process.env.OTEL_EXPORTER_JAEGER_USER,
      password: process.env.OTEL_EXPORTER_JAEGER_PASSWORD,
      // The specification's variable for the Jaeger exporter's per-batch timeout, else the processor's.
      timeoutMillis: Number(process.env.OTEL_EXPORTER_JAEGER_TIMEOUT) || exportTimeoutMillis,
    });
    return { exporter, label: `Jaeger collector ${endpoint}` };
  }
  return {
    exporter: jaegerAgentExporter(agentHost, j.agentPort, resource),
    label: `Jaeger agent ${agentHost}:${j.agentPort ?? process.env.OTEL_EXPORTER_JAEGER_AGENT_PORT ?? 6832}`,
  };
}

/**
 * Counts the sampled spans that end, ahead of the batch processor: with the exporter's counts this
 * gives the number the processor's queue dropped, which the SDK only logs.
 * @internal
 */
export class EndedSpanCounter implements SpanProcessor {
  ended = 0;
  onStart(): void {}
  onEnd(span: ReadableSpan): void {
    if (span.spanContext().traceFlags & 1) this.ended++;
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
