// Settings shared by the three services of the order pipeline: where Kafka is, topic names, and the
// one-line tracing setup each kafkajs service runs first (checkout's, on Confluent's client: confluent.ts).
import { Kafka, logLevel } from 'kafkajs';
import { traceKafka } from '../../src/index';
import { startTracing, type Tracing } from '../../src/setup/index';

export const TOPICS = { orders: 'orders', payments: 'payments', ordersDlq: 'orders.dlq' } as const;
export const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
/** This example's resource attribute naming the Kafka client a service runs on (a process tag in Jaeger). */
export const CLIENT_ATTRIBUTE = 'order_pipeline.kafka_client';

/**
 * Starts tracing for one service, `client` naming the Kafka client it runs on. With METRICS_PORT set, the
 * service also serves its metrics (lag, queue time, pipeline latency) for Prometheus on 127.0.0.1:<port>/metrics.
 */
export function startServiceTracing(serviceName: string, client: string): Tracing {
  const port = Number(process.env.METRICS_PORT);
  const metrics = port > 0 ? { exporter: 'prometheus' as const, port, host: '127.0.0.1' } : undefined;
  return startTracing({ serviceName, serviceVersion: '1.0.0', metrics, resourceAttributes: { [CLIENT_ATTRIBUTE]: client } });
}

/** Starts tracing for one service and returns a kafkajs client whose producers and consumers are traced. */
export function serviceSetup(serviceName: string): { tracing: Tracing; kafka: Kafka } {
  const tracing = startServiceTracing(serviceName, 'kafkajs');
  const kafka = traceKafka(new Kafka({ clientId: serviceName, brokers: BROKERS, logLevel: logLevel.ERROR }), {
    producer: { clientId: serviceName },
    consumer: { clientId: serviceName },
  });
  return { tracing, kafka };
}

/** Flushes spans and disconnects on SIGTERM/SIGINT, so the last spans reach Jaeger. */
export function onStop(tracing: Tracing, ...clients: Array<{ disconnect(): Promise<void> }>): void {
  const stop = async () => {
    await Promise.all(clients.map((c) => c.disconnect().catch(() => undefined)));
    await tracing.shutdown();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

/** Tells the orchestrator (run.ts) that a consumer has joined its group and is ready for messages. */
export function announceReady(service: string): void {
  process.stdout.write(`READY ${service}\n`);
}
