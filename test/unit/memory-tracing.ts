// In-memory tracing for unit tests: a real SDK provider whose spans land in an array, the W3C
// propagators, and the async context manager so active spans follow awaits.
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Consumer, ConsumerRunConfig, KafkaMessage, Producer, ProducerBatch, ProducerRecord, RecordMetadata } from 'kafkajs';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

export function memoryTracing() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const propagator = new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] });
  return {
    exporter,
    provider,
    propagator,
    options: { tracerProvider: provider, propagator },
    spans: (): ReadableSpan[] => exporter.getFinishedSpans(),
    named: (name: string): ReadableSpan[] => exporter.getFinishedSpans().filter((s) => s.name === name),
  };
}

/** A stand-in kafkajs producer: records what reaches the network layer, answers or fails on demand. */
export function fakeProducer() {
  const sent: ProducerRecord[] = [];
  const batches: ProducerBatch[] = [];
  const state: { failWith?: unknown } = {};
  const ack = (topicName: string): RecordMetadata[] => [{ topicName, partition: 2, errorCode: 0, baseOffset: '41' }];
  const sender = {
    send: async (record: ProducerRecord) => {
      sent.push(record);
      if (state.failWith !== undefined) throw state.failWith;
      return ack(record.topic);
    },
    sendBatch: async (batch: ProducerBatch) => {
      batches.push(batch);
      if (state.failWith !== undefined) throw state.failWith;
      return (batch.topicMessages ?? []).map((t) => ack(t.topic)[0] as RecordMetadata);
    },
  };
  const producer = { ...sender, transaction: async () => ({ ...sender, commit: async () => undefined }) } as unknown as Producer;
  return { producer, sent, batches, state };
}

/** A stand-in kafkajs consumer whose run() keeps the (wrapped) config for the test to drive. */
export function fakeConsumer() {
  const runs: (ConsumerRunConfig | undefined)[] = [];
  const consumer = { run: async (config?: ConsumerRunConfig) => void runs.push(config) } as unknown as Consumer;
  return { consumer, runs, last: () => runs[runs.length - 1] };
}

export function kafkaMessage(headers: KafkaMessage['headers'] = {}, extra: Partial<KafkaMessage> = {}): KafkaMessage {
  return { key: Buffer.from('k'), value: Buffer.from('value'), timestamp: String(Date.now() - 10), attributes: 0, offset: '5', headers, ...extra } as KafkaMessage;
}
