// The prototype patch on its own, over stand-in Kafka classes: idempotent, undone only where it is on
// top, and a client the wrappers refuse reaches the application untraced rather than as an error.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { swallowedCounts } from '../../../src/diag/report-once';
import { patchKafkaClass, unpatchKafkaClass, type PatchControl } from '../../../src/instrumentation/patch-kafka-class';

const INSTRUMENTED = Symbol.for('kafkajs-tracing.instrumented');
const control: PatchControl = { enabled: () => true, producerOptions: () => ({}), consumerOptions: () => ({}), foreign: () => undefined };

function standInClass(makeProducer: () => object = () => ({ send: async () => [], sendBatch: async () => [], transaction: async () => ({}) })) {
  return class {
    producer() {
      return makeProducer();
    }
    consumer() {
      return { run: async () => undefined };
    }
  };
}

describe('patchKafkaClass', () => {
  it('patching twice wraps once; unpatching restores the original methods', () => {
    const Kafka = standInClass();
    const original = Kafka.prototype.producer;
    patchKafkaClass(Kafka, control);
    const patched = Kafka.prototype.producer;
    patchKafkaClass(Kafka, control);
    assert.equal(Kafka.prototype.producer, patched, 'no second wrapper of ours');
    assert.equal((new Kafka().producer() as Record<symbol, unknown>)[INSTRUMENTED], true);
    unpatchKafkaClass(Kafka);
    assert.equal(Kafka.prototype.producer, original);
  });

  it('a client the wrappers refuse (no send) comes back untraced, reported once, never thrown', () => {
    const Kafka = standInClass(() => ({ notAProducer: true }));
    patchKafkaClass(Kafka, control);
    const before = swallowedCounts()['span-setup'];
    const made = new Kafka().producer();
    assert.deepEqual(made, { notAProducer: true });
    assert.equal(swallowedCounts()['span-setup'], before + 1);
  });

  it('leaves a class without producer()/consumer() alone', () => {
    class NotKafka {}
    patchKafkaClass(NotKafka, control);
    patchKafkaClass(undefined, control);
    assert.deepEqual(Object.getOwnPropertyNames(NotKafka.prototype), ['constructor']);
  });
});
