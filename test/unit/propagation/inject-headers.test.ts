// The producer side's header injection: what it does with headers it cannot write into.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DiagLogLevel, diag } from '@opentelemetry/api';
import type { Message } from 'kafkajs';
import { instrumentProducer } from '../../../src/index';
import { swallowedCounts } from '../../../src/diag/report-once';
import { fakeProducer, memoryTracing } from '../memory-tracing';

const warnings: string[] = [];
before(() => {
  const capture = (...args: unknown[]) => void warnings.push(args.map(String).join(' '));
  const quiet = () => undefined;
  diag.setLogger({ warn: capture, error: capture, info: quiet, debug: quiet, verbose: quiet }, DiagLogLevel.WARN);
});
after(() => diag.disable());

describe('injecting into message headers', () => {
  it('headers that are a list (as Confluent leaves them after a send): the same content goes out, in a copy; the send is still traced, reported once', async () => {
    const t = memoryTracing();
    const p = fakeProducer();
    const producer = instrumentProducer(p.producer, t.options);
    // What Confluent's send() leaves in a message it was given: the headers rewritten into [{ key: value }, ...].
    const message = { value: 'again', headers: [{ traceparent: '00-c0ffee00c0ffee00c0ffee00c0ffee00-00f067aa0ba902b7-01' }, { 'x-user': 'u' }] } as unknown as Message;
    const before = swallowedCounts().inject;
    await producer.send({ topic: 'orders', messages: [message] });
    await producer.send({ topic: 'orders', messages: [message] });
    const sent = p.sent[0]?.messages[0];
    assert.notEqual(sent, message, 'a copy: the client may rewrite what it gets');
    assert.deepEqual(sent, message, 'with the same content');
    assert.equal(sent?.headers, message.headers, 'the very header list, no context added');
    assert.equal(t.named('send orders').length, 2, 'each send still has its span');
    assert.equal(swallowedCounts().inject - before, 2);
    assert.equal(warnings.filter((w) => w.includes('headers are a list')).length, 1, 'reported once through diag');
  });

  it('a header record still gets the context, beside the user headers', async () => {
    const t = memoryTracing();
    const p = fakeProducer();
    await instrumentProducer(p.producer, t.options).send({ topic: 'orders', messages: [{ value: 'a', headers: { mine: 'x' } }] });
    const headers = p.sent[0]?.messages[0]?.headers ?? {};
    assert.equal(headers.mine, 'x');
    assert.match(String(headers.traceparent), /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });
});
