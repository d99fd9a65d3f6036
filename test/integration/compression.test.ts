// Batches compressed by another client (the Go peer: franz-go compresses with snappy by default),
// consumed and traced by a kafkajs service: with the codec registered, and without it.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Consumer, ConsumerCrashEvent, KafkaMessage } from 'kafkajs';
import { instrumentConsumer } from '../../src/index';
import { JaegerQuery, expectChain, waitForTrace } from '../../src/harness/index';
import { registerCodecs, unregisterSnappy } from '../support/codecs';
import { JAEGER_QUERY_URL, uniqueTopic } from '../support/env';
import { collector, createTopics, disconnectAll, testKafka } from '../support/kafka';
import { only, runPeer, type PeerEvent } from '../support/peers';
import { startServices, traceIdOf } from '../support/services';
import { expectOneTree } from '../support/trace-shape';

const jaeger = new JaegerQuery(JAEGER_QUERY_URL);
const kafka = testKafka('it-compression');
const TS = 'it-codec-ts';
/** franz-go sends a batch uncompressed unless the codec makes it smaller: values that compress well. */
const compressible = (label: string): string => `${label} `.repeat(100);

/** Resolves with the consumer's crash event; rejects when it does not crash within the time. */
function crashOf(consumer: Consumer, timeoutMs = 30000): Promise<ConsumerCrashEvent['payload']> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the consumer did not crash within ${timeoutMs} ms`)), timeoutMs);
    consumer.on(consumer.events.CRASH, (e) => {
      clearTimeout(timer);
      resolve(e.payload);
    });
  });
}

describe('compressed batches from the Go peer', () => {
  const services = startServices(TS);
  const provider = services.provider(TS);

  after(async () => {
    registerCodecs();
    await services.shutdown();
  });

  /** Consumes `count` messages of `topic` in group `groupId`, each in a process span. */
  async function consumeTraced(topic: string, groupId: string, count: number): Promise<KafkaMessage[]> {
    const consumer = instrumentConsumer(kafka.consumer({ groupId }), { tracerProvider: provider });
    const got = collector<KafkaMessage>(count);
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => got.record(message) });
      return await got.done;
    } finally {
      await disconnectAll(consumer);
    }
  }

  /** The Go producer's trace has `spans` spans, the TS process span among them as the child of kotel's publish span. */
  async function expectTraced(topic: string, produced: PeerEvent, spans: number): Promise<void> {
    const found = await waitForTrace(jaeger, traceIdOf(produced.headers.traceparent), { minSpans: spans, timeoutMs: 20000 });
    assert.equal(found.spans.length, spans);
    expectOneTree(found);
    const [publish, process] = expectChain(found, [
      { name: `${topic} publish`, kind: 'producer' },
      { name: `process ${topic}`, kind: 'consumer', service: TS },
    ]);
    assert.equal(process?.parentSpanId, publish?.spanId);
    assert.equal(process?.tags['messaging.kafka.offset'], produced.offset);
  }

  it('snappy, LZ4 and gzip batches from franz-go, codecs registered: each message consumed once and traced', async () => {
    registerCodecs();
    const topic = uniqueTopic('it-codecs');
    await createTopics(kafka, [topic]);
    const produced: PeerEvent[] = [];
    const codecs = ['snappy', 'lz4', 'gzip'];
    for (const codec of codecs) {
      produced.push(only(await runPeer('go', ['produce', '--topic', topic, '--compression', codec, '--value', compressible(codec)])));
    }
    // The premise: the batches really are compressed on the wire (the Go consumer reports each batch's codec).
    const onWire = await runPeer('go', ['consume', '--topic', topic, '--group', `${topic}-check`, '--count', '3']);
    assert.deepEqual(onWire.map((e) => e.compression), codecs);
    const got = await consumeTraced(topic, `${topic}-ts`, 3);
    assert.deepEqual(got.map((m) => String(m.value)), codecs.map(compressible));
    await services.flush();
    // Go app span + publish, the Go check's receive + process, the TS process span
    for (const p of produced) await expectTraced(topic, p, 5);
  });

  it('snappy codec missing: the consumer crashes with an error naming it, nothing is committed; registered, the same group reads the message and traces it', async () => {
    unregisterSnappy();
    const topic = uniqueTopic('it-no-snappy');
    const groupId = `${topic}-ts`;
    await createTopics(kafka, [topic]);
    const produced = only(await runPeer('go', ['produce', '--topic', topic, '--compression', 'snappy', '--value', compressible('snappy')]));
    const consumer = instrumentConsumer(kafka.consumer({ groupId }), { tracerProvider: provider });
    let handled = 0;
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      const crashed = crashOf(consumer);
      await consumer.run({ eachMessage: async () => void handled++ });
      const crash = await crashed;
      assert.equal(crash.error.name, 'KafkaJSNotImplemented');
      assert.match(crash.error.message, /Snappy compression not implemented/);
      assert.equal(crash.restart, false, 'kafkajs does not retry a missing codec');
      assert.equal(handled, 0, 'the handler never saw the message');
    } finally {
      await disconnectAll(consumer);
    }
    registerCodecs();
    const [message] = await consumeTraced(topic, groupId, 1);
    assert.equal(message?.offset, String(produced.offset), 'the same group starts at the message the crash left');
    await services.flush();
    await expectTraced(topic, produced, 3); // Go app span + publish, the TS process span
  });

  it('ZSTD (no codec registered): the crash names ZSTD, and a client that has the codec reads the message in the same group', async () => {
    const topic = uniqueTopic('it-no-zstd');
    const groupId = `${topic}-g`;
    await createTopics(kafka, [topic]);
    const produced = only(await runPeer('go', ['produce', '--topic', topic, '--compression', 'zstd', '--value', compressible('zstd')]));
    const consumer = instrumentConsumer(kafka.consumer({ groupId }), { tracerProvider: provider });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      const crashed = crashOf(consumer);
      await consumer.run({ eachMessage: async () => undefined });
      const crash = await crashed;
      assert.equal(crash.error.name, 'KafkaJSNotImplemented');
      assert.match(crash.error.message, /ZSTD compression not implemented/);
    } finally {
      await disconnectAll(consumer);
    }
    // The Java client decodes ZSTD itself; it continues the group where kafkajs stopped: at the message.
    const atJava = only(await runPeer('java', ['consume', '--topic', topic, '--group', groupId]));
    assert.equal(atJava.offset, produced.offset);
    assert.equal(atJava.traceId, traceIdOf(produced.headers.traceparent));
  });
});
