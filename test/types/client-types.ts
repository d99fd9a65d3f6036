// Type-level test, checked by `tsc` (npm run typecheck), never run: the wrappers accept both clients'
// own types and hand back exactly the type they were given. A failure here is a compile error.
import { KafkaJS } from '@confluentinc/kafka-javascript';
import { Kafka, type Consumer, type Producer } from 'kafkajs';
import { instrumentConsumer, instrumentProducer, traceKafka, withMessageSpan } from '../../src/index';

/** Compiles only when A and B are the same type. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const same = <A, B>(check: Equal<A, B>): Equal<A, B> => check;

export function confluentClients(kafka: KafkaJS.Kafka): void {
  const producer = instrumentProducer(kafka.producer({ kafkaJS: { acks: 1 } }));
  same<typeof producer, KafkaJS.Producer>(true);
  // Confluent-only members stay visible and typed.
  void producer.flush({ timeout: 1000 });
  const consumer = instrumentConsumer(kafka.consumer({ kafkaJS: { groupId: 'g', fromBeginning: true } }), { groupId: 'g' });
  same<typeof consumer, KafkaJS.Consumer>(true);
  void consumer.run({
    eachBatch: async ({ batch }) => {
      for (const message of batch.messages) await withMessageSpan(message, async () => message.offset);
    },
  });
  void producer.sendOffsets({ consumer, topics: [] });
  const traced = traceKafka(kafka);
  same<typeof traced, KafkaJS.Kafka>(true);
  same<ReturnType<typeof traced.producer>, KafkaJS.Producer>(true);
  void traced.producer().flush();
}

export function kafkajsClients(kafka: Kafka): void {
  same<ReturnType<typeof instrumentProducer<Producer>>, Producer>(true);
  same<typeof instrumentConsumer<Consumer>, (c: Consumer, o?: Parameters<typeof instrumentConsumer>[1]) => Consumer>(true);
  const traced = traceKafka(kafka);
  same<typeof traced, Kafka>(true);
  // kafkajs-only members stay visible.
  void traced.producer().events.CONNECT;
}

export function rejected(kafka: KafkaJS.Kafka): void {
  // @ts-expect-error a consumer is not a producer
  instrumentProducer(kafka.consumer({ kafkaJS: { groupId: 'g' } }));
  // @ts-expect-error an admin client is neither
  instrumentConsumer(kafka.admin());
  // @ts-expect-error not a client
  traceKafka({ producer: () => 1 });
}
