import type { MeterProvider, Span, TextMapPropagator, TracerProvider } from '@opentelemetry/api';
import type { KafkaMessage, Message } from 'kafkajs';
import type { LegacyFormat } from './propagation/legacy-formats';

/** Options shared by the producer and the consumer middleware. */
export interface InstrumentationOptions {
  /**
   * Tracer provider to create spans with. Defaults to the globally registered one
   * (`@opentelemetry/api`'s `trace.getTracerProvider()`); with none registered, the middleware makes
   * non-recording spans and changes no header.
   */
  tracerProvider?: TracerProvider;
  /**
   * Meter provider for the messaging metrics (`messaging.client.sent.messages`,
   * `messaging.client.consumed.messages`, `messaging.client.operation.duration`,
   * `messaging.process.duration`, `messaging.kafka.end_to_end.latency`). Defaults to the global one;
   * with none registered the metrics cost nothing.
   */
  meterProvider?: MeterProvider;
  /**
   * Propagator that writes and reads message headers. Defaults to the globally registered one
   * (W3C `traceparent`/`tracestate` and `baggage` once `startTracing` ran); when `tracerProvider` is
   * given and no propagator is registered, W3C trace context + baggage.
   */
  propagator?: TextMapPropagator;
  /**
   * Record message keys as `messaging.kafka.message.key` (cut to {@link MAX_KEY_LENGTH}
   * characters): string keys, and Buffer keys that are UTF-8 text (kafkajs delivers every consumed
   * key as a Buffer). Binary keys (invalid UTF-8, or control characters) are never recorded. Default `true`.
   */
  captureMessageKey?: boolean;
  /** `messaging.client.id` on every span (kafkajs does not expose the client id of a producer/consumer). */
  clientId?: string;
}

/** Information passed to {@link ProducerInstrumentationOptions.producerHook}. */
export interface ProducerHookInfo {
  /** Topic the message is sent to. */
  topic: string;
  /** The message as it will be sent (headers already carry the span's context). */
  message: Message;
}

/** Options of {@link instrumentProducer}. */
export interface ProducerInstrumentationOptions extends InstrumentationOptions {
  /**
   * Called with each message's span right after it starts: add attributes of your own here.
   * Exceptions thrown by the hook are caught and never reach the send path.
   */
  producerHook?: (span: Span, info: ProducerHookInfo) => void;
  /**
   * Whether messages carry the pipeline origin (this package's `kjt` entry in W3C `tracestate`: time
   * of the first produce, hop count, entry topic), from which consumers measure pipeline latency.
   * Default true. `false` writes no entry of ours (an upstream one is not forwarded either), so a
   * message has no `tracestate` header unless another vendor's entry is there: one header less, which
   * kafkajs's encoder makes worth a few µs per message (see the README's Performance section).
   */
  pipelineOrigin?: boolean;
}

/** Information passed to {@link ConsumerInstrumentationOptions.consumerHook}. */
export interface ConsumerHookInfo {
  /** Topic the message was read from. */
  topic: string;
  /** Partition the message was read from. */
  partition: number;
  /** The message as kafkajs delivered it. */
  message: KafkaMessage;
}

/** Options of {@link instrumentConsumer}. */
export interface ConsumerInstrumentationOptions extends InstrumentationOptions {
  /** `messaging.consumer.group.name` on every span (kafkajs does not expose a consumer's group id). */
  groupId?: string;
  /**
   * Whether the context in a message's headers is trusted. Trusted (the default): the `process`
   * span is the child of the producer's span, with a link to it as well, and upstream baggage is
   * kept. Untrusted (for topics fed by outside parties): the `process` span starts a new trace with
   * only a link to the upstream span, and upstream baggage is dropped. A function decides per topic.
   */
  trustUpstream?: boolean | ((topic: string) => boolean);
  /**
   * Also link a trusted `process` span to its parent, the producer's span, as the messaging
   * conventions suggest. Off by default: Jaeger's Thrift model folds a parent and a link to the same
   * span into one FOLLOWS_FROM reference, so the span would lose its CHILD_OF parent there, while the
   * parent relation already says the same. Untrusted spans always get the link (it is all they have).
   */
  linkToParent?: boolean;
  /**
   * Called with each `process` span right after it starts. Exceptions thrown by the hook are caught
   * and never reach the handler.
   */
  consumerHook?: (span: Span, info: ConsumerHookInfo) => void;
  /**
   * Also read these older trace header formats when a message has no valid W3C `traceparent`
   * (opt-in): `'jaeger'` (`uber-trace-id`), `'b3'` (single or multi header), `'hex'` (plain
   * `trace_id`/`span_id`). Tried in the order given. Default: none.
   */
  legacyFormats?: readonly LegacyFormat[];
  /** Most links put on the span of an `eachBatch` call (one per message with a context). Default 128. */
  maxBatchLinks?: number;
  /**
   * The entry topics pipeline latency is recorded under (`kafkajs_tracing.pipeline.entry` on the
   * `kafkajs_tracing.pipeline.latency` histogram). The entry arrives in each message's `tracestate`,
   * so any producer could otherwise create series at will; a value not listed is recorded as
   * `_OTHER`. Default: the first 16 distinct entries the process sees, `_OTHER` after them (said once
   * through diag). Span attributes keep the entry as the message carried it.
   */
  pipelineEntries?: readonly string[];
}
