// `messaging.kafka.message.key`: text keys are recorded on both sides, whether they come as strings or
// as the Buffers kafkajs delivers on the consumer side (and forwarders pass on); binary keys never.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EachMessagePayload, KafkaMessage } from 'kafkajs';
import { MAX_KEY_LENGTH, instrumentConsumer, instrumentProducer, type InstrumentationOptions } from '../../../src/index';
import { fakeConsumer, fakeProducer, kafkaMessage, memoryTracing } from '../memory-tracing';

const KEY = 'messaging.kafka.message.key';

async function consumedKey(key: KafkaMessage['key'], extra: InstrumentationOptions = {}) {
  const t = memoryTracing();
  const f = fakeConsumer();
  await instrumentConsumer(f.consumer, { ...t.options, ...extra }).run({ eachMessage: async () => undefined });
  const payload = { topic: 'orders', partition: 0, message: kafkaMessage({}, { key }), heartbeat: async () => undefined, pause: () => () => undefined };
  await f.last()?.eachMessage?.(payload as EachMessagePayload);
  return t.spans()[0]?.attributes[KEY];
}

async function producedKey(key: Buffer | string | null, extra: InstrumentationOptions = {}) {
  const t = memoryTracing();
  const p = fakeProducer();
  await instrumentProducer(p.producer, { ...t.options, ...extra }).send({ topic: 'orders', messages: [{ key, value: 'v' }] });
  return t.spans()[0]?.attributes[KEY];
}

describe('message key attribute', () => {
  it('records a consumed Buffer key that is UTF-8 text, as kafkajs delivers every key', async () => {
    assert.equal(await consumedKey(Buffer.from('order-42')), 'order-42');
    assert.equal(await consumedKey(Buffer.from('clé-ünïcode-€-🚀')), 'clé-ünïcode-€-🚀');
  });

  it('records a Buffer key a forwarder passes on to the producer', async () => {
    assert.equal(await producedKey(Buffer.from('order-42')), 'order-42');
    assert.equal(await producedKey('order-43'), 'order-43', 'string keys as before');
  });

  it('never records binary keys: invalid UTF-8 or control bytes', async () => {
    assert.equal(await consumedKey(Buffer.from([0xff, 0xfe, 0x00, 0x41])), undefined, 'invalid UTF-8');
    assert.equal(await consumedKey(Buffer.from([0, 0, 0, 0, 0, 0, 0, 42])), undefined, 'a big-endian id: valid UTF-8, not text');
    assert.equal(await producedKey(Buffer.from([0xc3, 0x28])), undefined, 'invalid UTF-8 on the producer side');
    assert.equal(await consumedKey(Buffer.alloc(0)), undefined, 'empty');
    assert.equal(await consumedKey(null), undefined, 'no key');
  });

  it('cuts long Buffer keys to the same length as string keys, without a broken last character', async () => {
    const long = 'é'.repeat(MAX_KEY_LENGTH * 3);
    assert.equal(await consumedKey(Buffer.from(long)), long.slice(0, MAX_KEY_LENGTH));
    assert.equal(await producedKey(long), long.slice(0, MAX_KEY_LENGTH));
    const wide = '🚀'.repeat(MAX_KEY_LENGTH);
    assert.equal(await consumedKey(Buffer.from(wide)), wide.slice(0, MAX_KEY_LENGTH), '4-byte characters');
  });

  it('records nothing with captureMessageKey: false, on either side', async () => {
    assert.equal(await consumedKey(Buffer.from('order-42'), { captureMessageKey: false }), undefined);
    assert.equal(await producedKey(Buffer.from('order-42'), { captureMessageKey: false }), undefined);
  });
});
