import { diag } from '@opentelemetry/api';
import { getStringFromEnv } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader, type MetricReader } from '@opentelemetry/sdk-metrics';
import type { MetricsOptions } from './tracing-options';
import { enumListFromEnv, numberFromEnv, warnUnknownOnce } from './env-config';
import { optionalPeer } from './optional-peer';

/* eslint-disable @typescript-eslint/no-require-imports */
const loadPrometheus = () => require('@opentelemetry/exporter-prometheus') as typeof import('@opentelemetry/exporter-prometheus');
const loadOtlp = () => require('@opentelemetry/exporter-metrics-otlp-http') as typeof import('@opentelemetry/exporter-metrics-otlp-http');
/* eslint-enable @typescript-eslint/no-require-imports */

/** Port Prometheus registered for OpenTelemetry's exporter. */
export const DEFAULT_PROMETHEUS_PORT = 9464;
/** Host the scrape endpoint listens on unless told otherwise (`OTEL_EXPORTER_PROMETHEUS_HOST`'s default). */
const DEFAULT_PROMETHEUS_HOST = 'localhost';

/** Which metrics export the options ask for; `OTEL_METRICS_EXPORTER` only when no option is given. @internal */
export function metricsChoice(options: MetricsOptions | false | undefined): MetricsOptions | undefined {
  if (options === false) return undefined;
  if (options) return options;
  // Off by default: the variable turns export on only when it names one of the two supported exporters.
  const names = enumListFromEnv('OTEL_METRICS_EXPORTER') ?? [];
  if (names.includes('none')) return undefined;
  const chosen = names.find((n): n is 'prometheus' | 'otlp' => n === 'prometheus' || n === 'otlp');
  for (const n of names) if (n !== chosen) warnUnknownOnce('OTEL_METRICS_EXPORTER', n, 'this package exports metrics to one of prometheus or otlp');
  return chosen ? { exporter: chosen } : undefined;
}

function reader(choice: MetricsOptions): MetricReader | undefined {
  if (choice.exporter === 'prometheus') {
    const prometheus = optionalPeer('@opentelemetry/exporter-prometheus', 'metrics: { exporter: \'prometheus\' }', loadPrometheus);
    if (!prometheus) return undefined;
    const port = choice.port ?? numberFromEnv('OTEL_EXPORTER_PROMETHEUS_PORT') ?? DEFAULT_PROMETHEUS_PORT;
    // The specification's default is localhost: a scrape endpoint on every interface is the operator's choice to make.
    const host = choice.host ?? getStringFromEnv('OTEL_EXPORTER_PROMETHEUS_HOST') ?? DEFAULT_PROMETHEUS_HOST;
    const label = `Prometheus endpoint on ${host}:${port}${choice.endpoint ?? '/metrics'}`;
    // A taken port must not take the application down: the exporter reports it, we warn once.
    return new prometheus.PrometheusExporter({ port, host, endpoint: choice.endpoint }, (err) => {
      if (err) diag.warn(`kafkajs-tracing: ${label} could not start: ${String(err)}`);
    });
  }
  const otlp = optionalPeer('@opentelemetry/exporter-metrics-otlp-http', 'metrics: { exporter: \'otlp\' }', loadOtlp);
  if (!otlp) return undefined;
  const exporter = new otlp.OTLPMetricExporter({ url: choice.url, headers: choice.headers });
  return new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: choice.exportIntervalMillis ?? 60_000 });
}

/** A meter provider exporting as `choice` asks, with the same resource as the traces; undefined without its exporter package. @internal */
export function createMeterProvider(choice: MetricsOptions, resource: Resource): MeterProvider | undefined {
  const r = reader(choice);
  return r && new MeterProvider({ resource, readers: [r] });
}
