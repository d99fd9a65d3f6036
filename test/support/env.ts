// Where the integration tests find the real Kafka and Jaeger: the local ones scripts/infra.sh starts,
// or those named by the same variables users set for docker compose.
export const KAFKA_BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim());
export const JAEGER_QUERY_URL = (process.env.JAEGER_QUERY_URL ?? 'http://127.0.0.1:16686').replace(/\/$/, '');
export const JAEGER_ENDPOINT = process.env.OTEL_EXPORTER_JAEGER_ENDPOINT ?? 'http://127.0.0.1:14268/api/traces';
/** Jaeger's agent endpoint (Thrift binary over UDP), on the collector's host. */
export const JAEGER_AGENT = { host: process.env.OTEL_EXPORTER_JAEGER_AGENT_HOST ?? new URL(JAEGER_ENDPOINT).hostname, port: Number(process.env.OTEL_EXPORTER_JAEGER_AGENT_PORT ?? 6832) };

/** A topic name no earlier run used, so runs against a long-lived broker do not see each other's messages. */
export function uniqueTopic(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
