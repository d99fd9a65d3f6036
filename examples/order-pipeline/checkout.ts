// checkout: takes an order and publishes it to `orders`. Prints the trace id of the order's journey.
// usage: tsx checkout.ts <orderId> [--poison]
import { trace } from '@opentelemetry/api';
import { TOPICS, serviceSetup } from './config';

async function main(): Promise<void> {
  const orderId = process.argv[2] ?? `order-${Date.now()}`;
  const poison = process.argv.includes('--poison');
  const { tracing, kafka } = serviceSetup('checkout');
  const producer = kafka.producer();
  await producer.connect();
  // The HTTP request that placed the order would be the root span in a real service.
  await tracing.tracer.startActiveSpan('POST /checkout', async (span) => {
    span.setAttribute('order.id', orderId);
    const order = { orderId, amount: poison ? -1 : 42.5, currency: 'EUR' };
    await producer.send({ topic: TOPICS.orders, messages: [{ key: orderId, value: JSON.stringify(order) }] });
    process.stdout.write(`TRACE ${orderId} ${trace.getActiveSpan()?.spanContext().traceId}\n`);
    span.end();
  });
  await producer.disconnect();
  await tracing.shutdown();
}

main().catch((err: unknown) => {
  console.error('checkout failed:', err);
  process.exit(1);
});
