import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Kafka } from 'kafkajs';
import { traceKafka } from '../../src/index';

const INSTRUMENTED = Symbol.for('kafkajs-tracing.instrumented');

describe('traceKafka', () => {
  it('hands out instrumented producers and consumers, taking the group id from the consumer config', async () => {
    const kafka = traceKafka(new Kafka({ brokers: ['127.0.0.1:1'] }));
    const producer = kafka.producer() as unknown as Record<symbol, unknown>;
    const consumer = kafka.consumer({ groupId: 'g1' });
    assert.equal(producer[INSTRUMENTED], true);
    assert.equal((consumer as unknown as Record<symbol, unknown>)[INSTRUMENTED], true);
    const plain = new Kafka({ brokers: ['127.0.0.1:1'] }).producer() as unknown as Record<symbol, unknown>;
    assert.equal(plain[INSTRUMENTED], undefined, 'a plain client is left alone');
  });
});
