// NestJS's Kafka transport (`@nestjs/microservices`, Transport.KAFKA) traced by the drop-in
// instrumentation alone: Nest creates its kafkajs producers and consumers itself. On the real broker,
// checked in the real Jaeger: an event emitted by a ClientKafka, handled by an @EventPattern handler
// that produces onward; a request–reply through a @MessagePattern handler and the reply topic.
import '../support/drop-in';
import 'reflect-metadata';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { trace } from '@opentelemetry/api';
import type { KafkaMessage } from 'kafkajs';
import { lastValueFrom } from 'rxjs';
import { JaegerQuery, expectChain, waitForTrace } from '../../src/harness/index';
import { JAEGER_QUERY_URL, KAFKA_BROKERS, uniqueTopic } from '../support/env';
import { collector, createTopics, disconnectAll, testKafka } from '../support/kafka';
import { startServices } from '../support/services';
// Nest 12 is ES modules only: loaded with import() below, its types named with resolution-mode.
import type { ClientKafka } from '@nestjs/microservices' with { 'resolution-mode': 'import' };
import type { INestMicroservice } from '@nestjs/common' with { 'resolution-mode': 'import' };

const jaeger = new JaegerQuery(JAEGER_QUERY_URL);
const SERVICE = 'it-nest';
const quiet = { logLevel: 0 } as const; // kafkajs logLevel.NOTHING

describe('NestJS Kafka transport, traced by the instrumentation', () => {
  const services = startServices(SERVICE);
  const kafka = testKafka('it-nest-test');
  const [events, rpc, onward, declined] = [uniqueTopic('it-nest-events'), uniqueTopic('it-nest-rpc'), uniqueTopic('it-nest-onward'), uniqueTopic('it-nest-declined')];
  const tracer = trace.getTracer('it-nest-test');
  const atOnward = collector<KafkaMessage>(1);
  const onwardConsumer = kafka.consumer({ groupId: `${onward}-g` });
  let app: INestMicroservice;
  let caller: ClientKafka;
  let onwardClient: ClientKafka;

  before(async () => {
    await createTopics(kafka, [events, rpc, `${rpc}.reply`, onward, declined, `${declined}.reply`]);
    const { Controller, Module } = await import('@nestjs/common');
    const { NestFactory } = await import('@nestjs/core');
    const { ClientKafka, EventPattern, MessagePattern, Transport } = await import('@nestjs/microservices');
    const client = (clientId: string) => ({ clientId, brokers: KAFKA_BROKERS, ...quiet });

    onwardClient = new ClientKafka({ client: client('it-nest-onward'), producerOnlyMode: true });
    await onwardClient.connect();

    // The decorators a Nest user writes as @Controller(), @EventPattern(topic), @MessagePattern(topic),
    // applied as the calls TypeScript's decorator emit makes (Reflect.decorate): tsx reads one tsconfig for
    // every file, and this project's keeps TypeScript's standard decorators, which have no legacy form.
    class Handlers {
      async onEvent(data: { id: number }): Promise<void> {
        await tracer.startActiveSpan('handle event', async (span) => {
          await lastValueFrom(onwardClient.emit(onward, { from: data.id }));
          span.end();
        });
      }
      onDeclined(): never {
        throw new Error('declined');
      }
      onRequest(data: { a: number; b: number }): { sum: number } {
        return tracer.startActiveSpan('compute reply', (span) => {
          span.end();
          return { sum: data.a + data.b };
        });
      }
    }
    const decorate = (decorator: unknown, key: keyof Handlers) =>
      Reflect.decorate([decorator as MethodDecorator], Handlers.prototype, key, Object.getOwnPropertyDescriptor(Handlers.prototype, key));
    decorate(EventPattern(events), 'onEvent');
    decorate(MessagePattern(rpc), 'onRequest');
    decorate(MessagePattern(declined), 'onDeclined');
    Reflect.decorate([Controller()], Handlers);
    class AppModule {}
    Reflect.decorate([Module({ controllers: [Handlers] })], AppModule);

    app = await NestFactory.createMicroservice(AppModule, {
      transport: Transport.KAFKA,
      options: { client: client('it-nest-app'), consumer: { groupId: `${events}-app` }, subscribe: { fromBeginning: true } },
      logger: false,
    });
    await app.listen();

    caller = new ClientKafka({ client: client('it-nest-caller'), consumer: { groupId: `${rpc}-caller` }, subscribe: { fromBeginning: true } });
    caller.subscribeToResponseOf(rpc);
    caller.subscribeToResponseOf(declined);
    await caller.connect();

    await onwardConsumer.connect();
    await onwardConsumer.subscribe({ topics: [onward], fromBeginning: true });
    await onwardConsumer.run({ eachMessage: async ({ message }) => atOnward.record(message) });
  });

  after(async () => {
    await Promise.allSettled([app?.close(), caller?.close(), onwardClient?.close(), disconnectAll(onwardConsumer)]);
    await services.shutdown();
  });

  it('an emitted event: one trace from the emitter through the handler (its own span inside the CONSUMER span) to what it produces', async () => {
    const traceId = await tracer.startActiveSpan('place order', async (root) => {
      await lastValueFrom(caller.emit(events, { id: 7 }));
      root.end();
      return root.spanContext().traceId;
    });
    await atOnward.done;
    await services.flush();
    const found = await waitForTrace(jaeger, traceId, { minSpans: 6, timeoutMs: 20000 });
    const [, , processEvent, handle] = expectChain(found, [
      { name: 'place order', service: SERVICE },
      { name: `send ${events}`, kind: 'producer' },
      { name: `process ${events}`, kind: 'consumer' },
      { name: 'handle event' },
      { name: `send ${onward}`, kind: 'producer' },
      { name: `process ${onward}`, kind: 'consumer' },
    ]);
    assert.equal(handle?.parentSpanId, processEvent?.spanId, "the handler's span is the CONSUMER span's child");
    assert.equal(processEvent?.tags['messaging.consumer.group.name'], `${events}-app-server`, "Nest's group, as Nest names it (postfix -server)");
  });

  it('request–reply over the reply topic: traced both ways, one trace', async () => {
    const { traceId, reply } = await tracer.startActiveSpan('ask', async (root) => {
      const answer = (await lastValueFrom(caller.send(rpc, { a: 2, b: 3 }))) as { sum: number };
      root.end();
      return { traceId: root.spanContext().traceId, reply: answer };
    });
    assert.deepEqual(reply, { sum: 5 });
    await services.flush();
    const found = await waitForTrace(jaeger, traceId, { minSpans: 6, timeoutMs: 20000 });
    const [, , processRequest, computed] = expectChain(found, [
      { name: 'ask' },
      { name: `send ${rpc}`, kind: 'producer' },
      { name: `process ${rpc}`, kind: 'consumer' },
      { name: 'compute reply' },
    ]);
    assert.equal(computed?.parentSpanId, processRequest?.spanId, "the handler's span is the CONSUMER span's child");
    // The way back: Nest's server sends the handler's result to the reply topic from inside the CONSUMER span.
    expectChain(found, [
      { name: `process ${rpc}`, kind: 'consumer' },
      { name: `send ${rpc}.reply`, kind: 'producer' },
      { name: `process ${rpc}.reply`, kind: 'consumer' },
    ]);
  });

  // Where Nest's semantics differ from a kafkajs handler's: a @MessagePattern handler's error (other than
  // KafkaRetriableException) is sent back to the caller in the reply and never thrown to kafkajs
  // (ServerKafka.combineStreamsAndThrowIfRetriable), so the CONSUMER span, which records what the
  // handler throws to the client, ends without error. The error travels in the reply instead.
  it('a failing @MessagePattern handler: the caller gets the error, the CONSUMER span is not marked failed', async () => {
    const traceId = await tracer.startActiveSpan('ask declined', async (root) => {
      await assert.rejects(lastValueFrom(caller.send(declined, {})));
      root.end();
      return root.spanContext().traceId;
    });
    await services.flush();
    const found = await waitForTrace(jaeger, traceId, { minSpans: 5, timeoutMs: 20000 });
    const [, , processRequest] = expectChain(found, [
      { name: 'ask declined' },
      { name: `send ${declined}`, kind: 'producer' },
      { name: `process ${declined}`, kind: 'consumer' },
      { name: `send ${declined}.reply`, kind: 'producer' },
      { name: `process ${declined}.reply`, kind: 'consumer' },
    ]);
    assert.equal(processRequest?.error, false);
  });
});
