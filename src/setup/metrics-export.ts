import { diag } from '@opentelemetry/api';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import type { Resource } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader, type MetricReader } from '@opentelemetry/sdk-metrics';
import type { MetricsOptions } from './tracing-options';

/** Port Prometheus registered for OpenTelemetry's exporter. */
export const DEFAULT_PROMETHEUS_PORT = 9464;

/** Which metrics export the options ask for; `OTEL_METRICS_EXPORTER` only when no option is given. @internal */
export function metricsChoice(options: MetricsOptions | false | undefined): MetricsOptions | undefined {
  if (options === false) return undefined;
  if (options) return options;
  // Off by default: the variable turns export on only when set to one of the two supported values.
  const fromEnv = process.env.OTEL_METRICS_EXPORTER?.trim();
  if (fromEnv === 'prometheus' || fromEnv === 'otlp') return { exporter: fromEnv };
  return undefined;
}

function reader(choice: MetricsOptions): MetricReader {
  if (choice.exporter === 'prometheus') {
    const port = choice.port ?? (Number(process.env.OTEL_EXPORTER_PROMETHEUS_PORT) || DEFAULT_PROMETHEUS_PORT);
    const host = choice.host ?? process.env.OTEL_EXPORTER_PROMETHEUS_HOST;
    const label = `Prometheus endpoint on ${host ?? '*'}:${port}${choice.endpoint ?? '/metrics'}`;
    // A taken port must not take the application down: the exporter reports it, we warn once.
    return new PrometheusExporter({ port, host, endpoint: choice.endpoint }, (err) => {
      if (err) diag.warn(`kafkajs-tracing: ${label} could not start: ${String(err)}`);
    });
  }
  const exporter = new OTLPMetricExporter({ url: choice.url, headers: choice.headers });
  return new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: choice.exportIntervalMillis ?? 60_000 });
}

/** A meter provider exporting as `choice` asks, with the same resource as the traces. @internal */
export function createMeterProvider(choice: MetricsOptions, resource: Resource): MeterProvider {
  return new MeterProvider({ resource, readers: [reader(choice)] });
}
