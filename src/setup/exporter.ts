import { diag } from '@opentelemetry/api';
import { getStringFromEnv } from '@opentelemetry/core';
import { ConsoleSpanExporter, type ReadableSpan, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace';
import type { Resource } from '@opentelemetry/resources';
import { JaegerHttpExporter, jaegerAgentExporter } from './jaeger-exporter';
import type { TracingOptions } from './tracing-options';
import { numberFromEnv, traceExportersFromEnv, type TraceExporterName } from './env-config';
import { FanOutExporter } from './fan-out-exporter';
import { OtlpHttpCollector } from './otlp/http-collector';
import { otlpHttpConfig } from './otlp/otlp-config';
import { checkEndpoint } from './endpoint-url';

/**
 * Default endpoint of `exporter: 'jaeger'` (Thrift over HTTP): the local Jaeger that `npm run infra:up`
 * starts. The default exporter is OTLP, to `http://127.0.0.1:4318/v1/traces`.
 */
export const DEFAULT_JAEGER_ENDPOINT = 'http://127.0.0.1:14268/api/traces';

/** Export outcomes, as counted by `startTracing`'s exporter wrapper. */
export interface ExportStats {
  /** Sampled spans that ended and were handed to the batch processor. */
  endedSpans: number;
  /** Spans the collector accepted, at the first try or resent. */
  exportedSpans: number;
  /**
   * Spans whose first export failed (collector down, refusing, timing out), or that were held back
   * without a try while it was failing or an export was stuck; with `retry` on they are held and resent.
   */
  failedSpans: number;
  /** Export attempts that failed, first tries and resends. */
  failedExports: number;
  /** Spans given up after a failed export: retry off, the retry budget full (oldest first), refused by the collector, or still held at shutdown. */
  lostSpans: number;
  /** Spans delivered by a resend (counted in `exportedSpans` too). */
  resentSpans: number;
  /** Spans held for resending now. */
  heldSpans: number;
  /** Bytes of the retry budget in use now. */
  heldBytes: number;
  /**
   * Spans the batch processor's queue dropped because it was full (ended − exported − lost − held),
   * as of the last `forceFlush()` or `shutdown()` that resolved: only then is nothing queued or in flight.
   */
  droppedSpans: number;
  /**
   * Spans a collector took the request of but said it rejected (OTLP's `partial_success`), reported
   * through diag with the collector's message; counted in `exportedSpans` too, as the request went through.
   */
  rejectedSpans: number;
}

/** The export counts an export queue keeps: all of {@link ExportStats} but the ended count. @internal */
export type DeliveryStats = Omit<ExportStats, 'endedSpans'>;

/** Every delivery count at zero. @internal */
export function noDeliveries(): DeliveryStats {
  return { exportedSpans: 0, failedSpans: 0, failedExports: 0, lostSpans: 0, resentSpans: 0, heldSpans: 0, heldBytes: 0, droppedSpans: 0, rejectedSpans: 0 };
}

/** One exporter by name, with the label failures are reported under; undefined when its endpoint is unusable. */
function namedExporter(name: TraceExporterName, options: TracingOptions, resource: Resource | undefined, exportTimeoutMillis: number): { exporter: SpanExporter; label: string } | undefined {
  if (name === 'console') return { exporter: new ConsoleSpanExporter(), label: 'console' };
  if (name === 'otlp') {
    const config = otlpHttpConfig(options.otlp, exportTimeoutMillis);
    if (!config) return undefined;
    const exporter = new OtlpHttpCollector(config);
    return { exporter, label: `OTLP collector ${exporter.endpoint}` };
  }
  const j = options.jaeger ?? {};
  const agentHost = j.agentHost ?? getStringFromEnv('OTEL_EXPORTER_JAEGER_AGENT_HOST');
  const configured = j.endpoint ?? getStringFromEnv('OTEL_EXPORTER_JAEGER_ENDPOINT');
  let endpoint = configured ?? (agentHost ? undefined : DEFAULT_JAEGER_ENDPOINT);
  if (configured) {
    const checked = checkEndpoint(configured, j.endpoint ? 'the jaeger.endpoint option' : 'OTEL_EXPORTER_JAEGER_ENDPOINT');
    if (!checked.ok) return undefined;
    endpoint = checked.url;
  }
  if (endpoint) {
    const exporter = new JaegerHttpExporter({
      endpoint,
      username: getStringFromEnv('OTEL_EXPORTER_JAEGER_USER'),
      password: getStringFromEnv('OTEL_EXPORTER_JAEGER_PASSWORD'),
      // The specification's variable for the Jaeger exporter's per-batch timeout, else the processor's.
      timeoutMillis: numberFromEnv('OTEL_EXPORTER_JAEGER_TIMEOUT') || exportTimeoutMillis,
    });
    return { exporter, label: `Jaeger collector ${endpoint}` };
  }
  return {
    exporter: jaegerAgentExporter(agentHost, j.agentPort, resource),
    label: `Jaeger agent ${agentHost}:${j.agentPort ?? getStringFromEnv('OTEL_EXPORTER_JAEGER_AGENT_PORT') ?? 6832}`,
  };
}

let jaegerEnvWarned = false;

/**
 * OTLP, the specification's default. Jaeger variables alone do not choose Jaeger (the specification
 * leaves the choice to `OTEL_TRACES_EXPORTER`), but they are warned about once: before OTLP became
 * the default they were enough, and a deployment that sets them most likely means Jaeger Thrift.
 */
function defaultExporter(): TraceExporterName {
  const jaegerVar = ['OTEL_EXPORTER_JAEGER_ENDPOINT', 'OTEL_EXPORTER_JAEGER_AGENT_HOST'].find((v) => getStringFromEnv(v) !== undefined);
  if (jaegerVar && !jaegerEnvWarned) {
    jaegerEnvWarned = true;
    diag.warn(`kafkajs-tracing: ${jaegerVar} is set, but spans are exported over OTLP, the default exporter; set OTEL_TRACES_EXPORTER=jaeger (or exporter: 'jaeger') to keep exporting Jaeger Thrift`);
  }
  return 'otlp';
}

/**
 * Builds the exporter the options (or, failing those, `OTEL_TRACES_EXPORTER`; else OTLP, the
 * specification's default, or Jaeger when only `jaeger` options are given) ask for: none for
 * `none`, one exporter, or several behind one fan-out for a list such as `otlp,console`.
 * @internal
 */
export function createExporter(options: TracingOptions, resource?: Resource, exportTimeoutMillis = 30_000): { exporter: SpanExporter | undefined; label: string } {
  const choice = options.exporter;
  if (typeof choice === 'object') return { exporter: choice, label: choice.constructor?.name ?? 'custom exporter' };
  // Settings for Jaeger only read as its choice (they were enough while it was the default).
  const onlyJaeger = options.jaeger !== undefined && options.otlp === undefined;
  const names: TraceExporterName[] = choice ? [choice] : onlyJaeger ? ['jaeger'] : (traceExportersFromEnv() ?? [defaultExporter()]);
  const built = names.map((n) => namedExporter(n, options, resource, exportTimeoutMillis)).filter((b) => b !== undefined);
  if (built.length === 0) return { exporter: undefined, label: 'none' };
  if (built.length === 1) return built[0] as { exporter: SpanExporter; label: string };
  return { exporter: new FanOutExporter(built.map((b) => b.exporter)), label: built.map((b) => b.label).join(' + ') };
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
