// The shapes the wrappers accept. Structural and minimal, so that kafkajs's clients and Confluent's
// KafkaJS-compatible ones both fit and the wrappers hand back the very type they were given, without
// this package's types depending on either client library. (Method parameters are compared both ways
// by TypeScript, which is what lets each client's own argument types fit the `object` below.)

/**
 * A producer the middleware can instrument: kafkajs's `Producer` or Confluent's `KafkaJS.Producer`
 * (`@confluentinc/kafka-javascript`), or anything with the same `send`/`sendBatch`/`transaction`.
 */
export interface TraceableProducer {
  /** Sends messages to one topic. */
  send(record: object): Promise<object[]>;
  /** Sends messages to several topics. */
  sendBatch(batch: object): Promise<object[]>;
  /** Starts a transaction; what it resolves to is instrumented too. */
  transaction(): Promise<object>;
}

/** A consumer the middleware can instrument: kafkajs's `Consumer` or Confluent's `KafkaJS.Consumer`. */
export interface TraceableConsumer {
  /** Starts consuming with an `eachMessage` or `eachBatch` handler. */
  run(config?: object): Promise<void>;
}

/** A Kafka client whose producers and consumers `traceKafka` instruments: kafkajs's `Kafka` or Confluent's `KafkaJS.Kafka`. */
export interface TraceableKafka {
  /** Creates a producer. */
  producer(config?: object): TraceableProducer;
  /** Creates a consumer. */
  consumer(config: object): TraceableConsumer;
}
