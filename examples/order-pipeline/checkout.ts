// checkout: takes an order and publishes it to `orders`. Prints the trace id of the order's journey.
// It runs on Confluent's client, the other services on kafkajs: one trace across both.
// usage: tsx checkout.ts <orderId> [--poison] [--count <n>] [--every <ms>]
import { trace } from '@opentelemetry/api';
import { TOPICS } from './config';
import { confluentServiceSetup } from './confluent';

async function main(): Promise<void> {
  const orderId = process.argv[2] ?? `order-${Date.now()}`;
  const poison = process.argv.includes('--poison');
  // --count N places N orders (<orderId>-1 … -N), one every --every ms: a load for the metrics.
  const option = (name: string, fallback: number) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) || fallback : fallback;
  };
  const count = option('--count', 1);
  const every = option('--every', 0);
  const { tracing, kafka } = confluentServiceSetup('checkout');
  const producer = kafka.producer({ 'linger.ms': 0 }); // one order at a time: no 5 ms wait to batch
  await producer.connect();
  for (let n = 1; n <= count; n++) {
    const id = count === 1 ? orderId : `${orderId}-${n}`;
    // The HTTP request that placed the order would be the root span in a real service.
    await tracing.tracer.startActiveSpan('POST /checkout', async (span) => {
      span.setAttribute('order.id', id);
      const order = { orderId: id, amount: poison ? -1 : 42.5, currency: 'EUR' };
      await producer.send({ topic: TOPICS.orders, messages: [{ key: id, value: JSON.stringify(order) }] });
      process.stdout.write(`TRACE ${id} ${trace.getActiveSpan()?.spanContext().traceId}\n`);
      span.end();
    });
    if (every > 0 && n < count) await new Promise((r) => setTimeout(r, every));
  }
  await producer.disconnect();
  await tracing.shutdown();
}

main().catch((err: unknown) => {
  console.error('checkout failed:', err);
  process.exit(1);
});
