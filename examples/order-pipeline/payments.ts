// payments: consumes `orders`, charges the card, publishes the result to `payments`.
// A poison order (negative amount) fails every attempt; after 3 attempts it goes to `orders.dlq`,
// in the same trace, so the failure is one click away from the order that caused it.
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { TOPICS, announceReady, onStop, serviceSetup } from './config';

const MAX_ATTEMPTS = 3;

async function main(): Promise<void> {
  const { tracing, kafka } = serviceSetup('payments');
  const producer = kafka.producer();
  const consumer = kafka.consumer({ groupId: 'payments' });
  onStop(tracing, consumer, producer);
  await Promise.all([producer.connect(), consumer.connect()]);
  await consumer.subscribe({ topics: [TOPICS.orders], fromBeginning: false });
  consumer.on(consumer.events.GROUP_JOIN, () => announceReady('payments'));

  const charge = (order: { amount: number }, attempt: number) =>
    tracing.tracer.startActiveSpan('charge card', async (span) => {
      span.setAttribute('payment.attempt', attempt);
      await new Promise((r) => setTimeout(r, 5)); // the payment provider's round trip
      try {
        if (order.amount <= 0) throw new Error(`invalid amount ${order.amount}`);
        return `pay-${Math.random().toString(36).slice(2, 8)}`;
      } catch (err) {
        span.recordException(err as Error);
        span.setStatus({ code: SpanStatusCode.ERROR });
        throw err;
      } finally {
        span.end();
      }
    });

  await consumer.run({
    eachMessage: async ({ message }) => {
      const order = JSON.parse(message.value?.toString() ?? '{}') as { orderId: string; amount: number };
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        try {
          const paymentId = await charge(order, attempt);
          await producer.send({
            topic: TOPICS.payments,
            messages: [{ key: order.orderId, value: JSON.stringify({ orderId: order.orderId, paymentId }) }],
          });
          return;
        } catch (err) {
          if (attempt === MAX_ATTEMPTS) {
            trace.getActiveSpan()?.addEvent('sent to dead-letter topic', { attempts: attempt });
            // Forwarding keeps the original headers: the middleware replaces the stale traceparent.
            await producer.send({
              topic: TOPICS.ordersDlq,
              messages: [{ key: message.key, value: message.value, headers: { ...message.headers, 'dlq.reason': String(err) } }],
            });
          }
        }
      }
    },
  });
}

main().catch((err: unknown) => {
  console.error('payments failed:', err);
  process.exit(1);
});
