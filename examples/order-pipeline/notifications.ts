// notifications: consumes `payments` and tells the customer their order is paid.
import { TOPICS, announceReady, onStop, serviceSetup } from './config';

// NOTIFICATIONS_DELAY_MS makes the mail service slow: the consumer falls behind, its lag grows, then drains.
const MAIL_MS = Number(process.env.NOTIFICATIONS_DELAY_MS) || 3;

async function main(): Promise<void> {
  const { tracing, kafka } = serviceSetup('notifications');
  const consumer = kafka.consumer({ groupId: 'notifications' });
  onStop(tracing, consumer);
  await consumer.connect();
  await consumer.subscribe({ topics: [TOPICS.payments], fromBeginning: false });
  consumer.on(consumer.events.GROUP_JOIN, () => announceReady('notifications'));
  await consumer.run({
    eachMessage: async ({ message }) => {
      const { orderId } = JSON.parse(message.value?.toString() ?? '{}') as { orderId: string };
      await tracing.tracer.startActiveSpan('send email', async (span) => {
        span.setAttribute('order.id', orderId);
        await new Promise((r) => setTimeout(r, MAIL_MS)); // the mail service's round trip
        span.end();
      });
    },
  });
}

main().catch((err: unknown) => {
  console.error('notifications failed:', err);
  process.exit(1);
});
