// The application gets back exactly what it threw, however odd the error (defect 10: an error whose
// `name` getter throws came back as the getter's error), and what a span keeps of an error is bounded:
// handlers' errors quote their input (JSON.parse quotes the body), and bodies stay out of traces.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EachBatchPayload, EachMessagePayload } from 'kafkajs';
import { instrumentConsumer, instrumentProducer } from '../../../src/index';
import { MAX_EXCEPTION_MESSAGE, errorType } from '../../../src/spans/span-errors';
import { fakeConsumer, fakeProducer, kafkaMessage, memoryTracing } from '../memory-tracing';

/** An Error whose `name` getter throws: reading it the wrong way swaps the user's error for another. */
function nameThrows(): Error {
  const err = new Error('boom');
  Object.defineProperty(err, 'name', {
    get() {
      throw new Error('the name getter threw');
    },
  });
  return err;
}

function messagePayload(): EachMessagePayload {
  return { topic: 't', partition: 0, message: kafkaMessage(), heartbeat: async () => undefined, pause: () => () => undefined };
}

function batchPayload(): EachBatchPayload {
  return {
    batch: { topic: 't', partition: 0, highWatermark: '10', messages: [kafkaMessage()] },
    resolveOffset: () => undefined,
    heartbeat: async () => undefined,
    pause: () => () => undefined,
    commitOffsetsIfNecessary: async () => undefined,
    uncommittedOffsets: () => ({ topics: [] }),
    isRunning: () => true,
    isStale: () => false,
  } as unknown as EachBatchPayload;
}

describe('errors thrown through the middleware', () => {
  it('errorType never throws, and is a bounded string', () => {
    assert.equal(errorType(nameThrows()), '_OTHER');
    const odd = new Error('x');
    Object.defineProperty(odd, 'name', { value: 42 });
    assert.equal(errorType(odd), 'Error');
    const long = new Error('x');
    long.name = 'N'.repeat(10_000);
    assert.ok(errorType(long).length <= 129);
  });

  it('eachMessage: the error whose name getter throws comes back itself', async () => {
    const t = memoryTracing();
    const { consumer, last } = fakeConsumer();
    instrumentConsumer(consumer, t.options);
    const thrown = nameThrows();
    await consumer.run({ eachMessage: async () => { throw thrown; } });
    await assert.rejects(last()!.eachMessage!(messagePayload()), (e) => e === thrown);
    assert.equal(t.spans()[0]?.attributes['error.type'], '_OTHER');
  });

  it('eachBatch: the error whose name getter throws comes back itself', async () => {
    const t = memoryTracing();
    const { consumer, last } = fakeConsumer();
    instrumentConsumer(consumer, t.options);
    const thrown = nameThrows();
    await consumer.run({ eachBatch: async () => { throw thrown; } });
    await assert.rejects(last()!.eachBatch!(batchPayload()), (e) => e === thrown);
  });

  it('send: a failure whose name getter throws comes back itself', async () => {
    const t = memoryTracing();
    const { producer, state } = fakeProducer();
    instrumentProducer(producer, t.options);
    const thrown = nameThrows();
    state.failWith = thrown;
    await assert.rejects(producer.send({ topic: 't', messages: [{ value: 'v' }] }), (e) => e === thrown);
    await assert.rejects(producer.sendBatch({ topicMessages: [{ topic: 't', messages: [{ value: 'v' }, { value: 'w' }] }] }), (e) => e === thrown);
  });

  it('an error quoting a large body keeps at most the first characters of it on the span', async () => {
    const t = memoryTracing();
    const { consumer, last } = fakeConsumer();
    instrumentConsumer(consumer, t.options);
    const body = `{"card":"${'4'.repeat(2000)}SECRET-TAIL"`;
    let thrown: unknown;
    await consumer.run({
      eachMessage: async () => {
        // As validation errors do (and JSON.parse's, on some Node.js lines): the input in the message.
        thrown = new SyntaxError(`not an order: ${body}`);
        throw thrown;
      },
    });
    await assert.rejects(last()!.eachMessage!(messagePayload()), (e) => e === thrown);
    assert.ok((thrown as Error).message.length > MAX_EXCEPTION_MESSAGE, 'the premise: the message quotes the body');
    const span = t.spans()[0]!;
    const event = span.events.find((e) => e.name === 'exception')!;
    const text = JSON.stringify([event.attributes, span.status]);
    assert.ok(!text.includes('SECRET-TAIL'), 'the body beyond the cut is not on the span');
    assert.ok(String(event.attributes?.['exception.message']).length <= MAX_EXCEPTION_MESSAGE + 1);
    assert.equal(event.attributes?.['exception.type'], 'SyntaxError');
    assert.match(String(event.attributes?.['exception.stacktrace']), /^SyntaxError: .*\n\s+at /s, 'the stack is kept, with the cut message');
    assert.equal((thrown as Error).message.includes('SECRET-TAIL'), true, "the application's error is untouched");
  });
});
