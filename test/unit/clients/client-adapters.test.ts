// The client seam: which adapter a client or config gets, and what each reads from a config. Confluent's
// package is not loaded here (its native addon loads only on the Node.js line npm built it for; unit tests
// run on every line): its client objects are covered by test/integration/confluent-chains.test.ts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Kafka } from 'kafkajs';
import { adapterForClient, adapterForConfig } from '../../../src/clients/detect-client';
import { confluentAdapter } from '../../../src/clients/confluent-adapter';
import { kafkajsAdapter } from '../../../src/clients/kafkajs-adapter';
import { instrumentConsumer, instrumentProducer } from '../../../src/index';

describe('client adapters', () => {
  it("kafkajs's producers and consumers get the kafkajs adapter", () => {
    const kafka = new Kafka({ clientId: 'unit', brokers: ['127.0.0.1:1'] });
    assert.equal(adapterForClient(kafka.producer()), kafkajsAdapter);
    assert.equal(adapterForClient(kafka.consumer({ groupId: 'g' })), kafkajsAdapter);
    assert.equal(adapterForClient(undefined), kafkajsAdapter);
  });

  it('configs: a kafkaJS block or librdkafka keys mean Confluent', () => {
    assert.equal(adapterForConfig({ groupId: 'g' }), kafkajsAdapter);
    assert.equal(adapterForConfig(undefined), kafkajsAdapter);
    assert.equal(adapterForConfig({ kafkaJS: { groupId: 'g' } }), confluentAdapter);
    assert.equal(adapterForConfig({ 'group.id': 'g' }), confluentAdapter);
  });

  it('group and client ids, each from where its client keeps them', () => {
    assert.equal(kafkajsAdapter.groupId({ groupId: 'payments' }), 'payments');
    assert.equal(kafkajsAdapter.clientId({ clientId: 'ignored' }), undefined, 'a kafkajs producer config has no client id');
    assert.equal(confluentAdapter.groupId({ kafkaJS: { groupId: 'payments' } }), 'payments');
    assert.equal(confluentAdapter.groupId({ 'group.id': 'rd' }), 'rd');
    assert.equal(confluentAdapter.groupId({ kafkaJS: { groupId: 'js' }, 'group.id': 'rd' }), 'js', 'the kafkaJS block first');
    assert.equal(confluentAdapter.clientId({ kafkaJS: { clientId: 'svc' } }), 'svc');
    assert.equal(confluentAdapter.clientId({ 'client.id': 'rd' }), 'rd');
    for (const bad of [undefined, null, 'x', { kafkaJS: null }, { kafkaJS: { groupId: 3 } }, { kafkaJS: { groupId: '' } }]) {
      assert.equal(confluentAdapter.groupId(bad), undefined, JSON.stringify(bad));
    }
  });
});

describe('what the wrappers do not trace fails clearly', () => {
  it("an object without the KafkaJS API's methods is rejected, naming what is missing", () => {
    // The shape of Confluent's node-rdkafka style Producer: produce(), flush(), no send()/sendBatch()/transaction().
    const rdkafkaStyle = { produce: () => true, flush: () => undefined, connect: () => undefined };
    assert.throws(() => instrumentProducer(rdkafkaStyle as never), /instrumentProducer: .*has no send\(\), sendBatch\(\), transaction\(\)/);
    assert.throws(() => instrumentConsumer({ consume: () => undefined } as never), /instrumentConsumer: .*has no run\(\)/);
    assert.throws(() => instrumentConsumer(null as never), /this null has no run\(\)/);
    assert.equal(typeof (rdkafkaStyle as Record<string, unknown>).send, 'undefined', 'and the object is left as it was');
  });
});
