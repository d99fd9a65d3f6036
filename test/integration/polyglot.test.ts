// Polyglot chains: the Go peer (franz-go + kotel) and the Java peer (kafka-clients + OpenTelemetry's
// KafkaTelemetry), built by scripts/peers/build.sh, in the same traces as services using this SDK.
// Every trace is read back from the real Jaeger; the peers export there over OTLP/HTTP.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { context, propagation, trace } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import type { KafkaMessage } from 'kafkajs';
import { instrumentConsumer, instrumentProducer } from '../../src/index';
import { JaegerQuery, expectChain, waitForTrace } from '../../src/harness/index';
import { JAEGER_QUERY_URL, uniqueTopic } from '../support/env';
import { collector, createTopics, disconnectAll, testKafka } from '../support/kafka';
import { only, runPeer, type PeerEvent } from '../support/peers';
import { startServices, traceIdOf } from '../support/services';
import { expectOneTree } from '../support/trace-shape';

const jaeger = new JaegerQuery(JAEGER_QUERY_URL);
const kafka = testKafka('it-polyglot');
const TS = 'it-poly-ts';
const BAGGAGE = { tenant: 'acme', user: 'ada' };
const TRACESTATE = 'congo=t61rcWkgMzE';

/**
 * Checks the tracestate a peer received from a TS producer: the upstream entries unchanged, and,
 * from a second hop on (`ownEntry`), this SDK's pipeline-origin entry (`kjt=<origin>:<hop>:<entry
 * topic>`) put in front, once. A first hop carries none: its record is the origin.
 */
function assertTracestateCarried(received: unknown, what: string, ownEntry = true): void {
  const entries = String(received).split(',');
  const own = entries.filter((e) => e.startsWith('kjt='));
  assert.equal(entries.filter((e) => !e.startsWith('kjt=')).join(','), TRACESTATE, `${what}: the upstream entries arrive unchanged`);
  if (!ownEntry) return assert.equal(own.length, 0, `${what}: no pipeline-origin entry at a first hop in ${String(received)}`);
  assert.equal(own.length, 1, `${what}: one pipeline-origin entry in ${String(received)}`);
  assert.match(own[0] ?? '', /^kjt=[0-9a-z]+:\d+:[\w.-]+$/, `${what}: the pipeline-origin entry is well formed`);
  assert.equal(entries[0], own[0], `${what}: the SDK's entry goes first, as W3C asks of a vendor that updates it`);
}

/** The span id in a traceparent header value. */
const spanIdOf = (traceparent: unknown): string => String(traceparent).split('-')[2] ?? '';

describe('polyglot chains: Go and Java services in the same traces', () => {
  const services = startServices(TS);
  const provider = services.provider(TS);

  after(async () => {
    await services.shutdown();
  });

  /**
   * A TS service reading `from` and sending each message on to `to` from its handler, in a process span
   * of its own. `copyHeaders` forwards the incoming headers too (the stale-context case).
   */
  async function forwardingService(from: string, to: string, copyHeaders = false) {
    const producer = instrumentProducer(kafka.producer(), { tracerProvider: provider });
    const consumer = instrumentConsumer(kafka.consumer({ groupId: `${from}-ts` }), { tracerProvider: provider });
    const seen = collector<KafkaMessage>(1);
    await Promise.all([producer.connect(), consumer.connect()]);
    await consumer.subscribe({ topics: [from], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const headers = copyHeaders ? message.headers : undefined;
        await producer.send({ topic: to, messages: [{ key: message.key, value: message.value, headers }] });
        seen.record(message);
      },
    });
    return { seen, stop: () => disconnectAll(consumer, producer) };
  }

  it('Go → TS → Go and Java: one trace; the peers\' consumer spans are children of the TS send span; baggage and tracestate arrive', async () => {
    const [t1, t2] = [uniqueTopic('it-poly-go-ts'), uniqueTopic('it-poly-ts-out')];
    await createTopics(kafka, [t1, t2]);
    const ts = await forwardingService(t1, t2);
    const baggage = Object.entries(BAGGAGE).map(([k, v]) => `${k}=${v}`).join(',');
    let produced: PeerEvent, atGo: PeerEvent, atJava: PeerEvent;
    try {
      const consumers = Promise.all([
        runPeer('go', ['consume', '--topic', t2, '--group', `${t2}-go`, '--service', 'it-poly-go-out']),
        runPeer('java', ['consume', '--topic', t2, '--group', `${t2}-java`, '--service', 'it-poly-java-out']),
      ]);
      consumers.catch(() => undefined); // awaited below; this only keeps an early failure from going unhandled
      produced = only(await runPeer('go', ['produce', '--topic', t1, '--compression', 'none', '--baggage', baggage,
        '--tracestate', TRACESTATE, '--service', 'it-poly-go-in']));
      await ts.seen.done;
      const [goEvents, javaEvents] = await consumers;
      [atGo, atJava] = [only(goEvents), only(javaEvents)];
    } finally {
      await ts.stop();
    }
    await services.flush();
    const traceId = traceIdOf(produced.headers.traceparent);
    assert.equal(traceIdOf(ts.seen.items[0]?.headers?.traceparent), traceId, 'the TS service read the Go trace');
    for (const at of [atGo, atJava]) {
      assert.equal(at.traceId, traceId, `${at.service} continues the Go producer's trace`);
      assert.deepEqual(at.baggage, BAGGAGE, `${at.service} got the baggage through the TS service`);
      assertTracestateCarried(at.tracestate, `${at.service} got the tracestate through the TS service`);
    }
    // 1 Go app span + publish, TS process + send, Go receive + process, Java process
    const found = await waitForTrace(jaeger, traceId, { minSpans: 7, timeoutMs: 20000 });
    assert.equal(found.spans.length, 7);
    expectOneTree(found);
    const upstream = [
      { name: `${t1} publish`, kind: 'producer', service: 'it-poly-go-in' },
      { name: `process ${t1}`, kind: 'consumer', service: TS },
      { name: `send ${t2}`, kind: 'producer', service: TS },
    ] as const;
    const viaGo = expectChain(found, [...upstream, { name: `${t2} receive`, kind: 'consumer', service: 'it-poly-go-out' },
      { name: `${t2} process`, kind: 'consumer', service: 'it-poly-go-out' }]);
    const viaJava = expectChain(found, [...upstream, { name: `${t2} process`, kind: 'consumer', service: 'it-poly-java-out' }]);
    const send = viaGo[2];
    assert.equal(viaGo[3]?.parentSpanId, send?.spanId, 'the Go receive span is the child of the TS send span');
    assert.equal(viaJava[3]?.parentSpanId, send?.spanId, 'the Java process span is the child of the TS send span');
    assert.equal(spanIdOf(atGo.headers.traceparent), send?.spanId);
    assert.equal(spanIdOf(atJava.headers.traceparent), send?.spanId);
  });

  it('Java producer → TS consumer: the process span is the child of the Java publish span, with its baggage', async () => {
    const topic = uniqueTopic('it-poly-java-ts');
    await createTopics(kafka, [topic]);
    const consumer = instrumentConsumer(kafka.consumer({ groupId: `${topic}-ts` }), { tracerProvider: provider });
    const got = collector<{ message: KafkaMessage; baggage: Record<string, string> }>(1);
    let produced;
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          const entries = propagation.getBaggage(context.active())?.getAllEntries() ?? [];
          got.record({ message, baggage: Object.fromEntries(entries.map(([k, v]) => [k, v.value])) });
        },
      });
      produced = only(await runPeer('java', ['produce', '--topic', topic, '--baggage', 'tenant=acme,user=ada',
        '--service', 'it-poly-java-in']));
      await got.done;
    } finally {
      await disconnectAll(consumer);
    }
    await services.flush();
    const traceId = traceIdOf(produced.headers.traceparent);
    assert.equal(traceIdOf(got.items[0]?.message.headers?.traceparent), traceId);
    assert.deepEqual(got.items[0]?.baggage, BAGGAGE, 'the Java baggage is in the handler\'s context');
    // Java app span + publish, TS process
    const found = await waitForTrace(jaeger, traceId, { minSpans: 3, timeoutMs: 20000 });
    assert.equal(found.spans.length, 3);
    expectOneTree(found);
    const [publish, process] = expectChain(found, [
      { name: `${topic} publish`, kind: 'producer', service: 'it-poly-java-in' },
      { name: `process ${topic}`, kind: 'consumer', service: TS },
    ]);
    assert.equal(process?.parentSpanId, publish?.spanId);
    assert.equal(publish?.spanId, spanIdOf(produced.headers.traceparent));
  });

  it('TS → Go: kotel\'s receive span is the child of the TS send span; baggage and tracestate arrive', async () => {
    const topic = uniqueTopic('it-poly-ts-go');
    await createTopics(kafka, [topic]);
    const producer = instrumentProducer(kafka.producer(), { tracerProvider: provider });
    const root = provider.getTracer('it-polyglot').startSpan('handle request');
    let atGo;
    try {
      await producer.connect();
      const atGoRun = runPeer('go', ['consume', '--topic', topic, '--group', `${topic}-go`, '--service', 'it-poly-go-out']);
      atGoRun.catch(() => undefined); // awaited below
      // The request's context: baggage, and a tracestate on the request span's own context (same span id).
      let ctx = trace.setSpan(context.active(), root);
      ctx = trace.setSpanContext(ctx, { ...root.spanContext(), traceState: new TraceState(TRACESTATE) });
      ctx = propagation.setBaggage(ctx, propagation.createBaggage({ tenant: { value: 'acme' }, user: { value: 'ada' } }));
      await context.with(ctx, () => producer.send({ topic, messages: [{ value: 'from ts' }] }));
      root.end();
      atGo = only(await atGoRun);
    } finally {
      await disconnectAll(producer);
    }
    await services.flush();
    const traceId = root.spanContext().traceId;
    assert.equal(atGo.traceId, traceId);
    assert.deepEqual(atGo.baggage, BAGGAGE);
    assertTracestateCarried(atGo.tracestate, 'the Go consumer', false);
    // TS request + send, Go receive + process
    const found = await waitForTrace(jaeger, traceId, { minSpans: 4, timeoutMs: 20000 });
    assert.equal(found.spans.length, 4);
    expectOneTree(found);
    const [send, receive] = expectChain(found, [
      { name: `send ${topic}`, kind: 'producer', service: TS },
      { name: `${topic} receive`, kind: 'consumer', service: 'it-poly-go-out' },
      { name: `${topic} process`, kind: 'consumer', service: 'it-poly-go-out' },
    ]);
    assert.equal(receive?.parentSpanId, send?.spanId);
  });

  it('a TS service forwarding with copied headers: stale context replaced, a link to it kept, one traceparent on the wire', async () => {
    const [t1, t2] = [uniqueTopic('it-poly-copy-in'), uniqueTopic('it-poly-copy-out')];
    await createTopics(kafka, [t1, t2]);
    const ts = await forwardingService(t1, t2, true);
    let produced, atGo;
    try {
      const atGoRun = runPeer('go', ['consume', '--topic', t2, '--group', `${t2}-go`, '--service', 'it-poly-go-out']);
      atGoRun.catch(() => undefined); // awaited below
      produced = only(await runPeer('go', ['produce', '--topic', t1, '--compression', 'none', '--baggage', 'tenant=acme',
        '--service', 'it-poly-go-in']));
      await ts.seen.done;
      atGo = only(await atGoRun);
    } finally {
      await ts.stop();
    }
    await services.flush();
    const stale = String(produced.headers.traceparent);
    const traceId = traceIdOf(stale);
    const fields = atGo.headerKeys.map((k) => k.toLowerCase());
    assert.equal(fields.filter((k) => k === 'traceparent').length, 1, `one traceparent on the wire: ${atGo.headerKeys.join(', ')}`);
    assert.equal(fields.filter((k) => k === 'baggage').length, 1, 'one baggage header on the wire');
    assert.notEqual(atGo.headers.traceparent, stale, 'the copied traceparent was replaced');
    assert.equal(atGo.traceId, traceId, 'the Go consumer continues the same trace');
    // Go app span + publish, TS process + send, Go receive + process
    const found = await waitForTrace(jaeger, traceId, { minSpans: 6, timeoutMs: 20000 });
    assert.equal(found.spans.length, 6);
    expectOneTree(found);
    const [publish, , send, receive] = expectChain(found, [
      { name: `${t1} publish`, kind: 'producer', service: 'it-poly-go-in' },
      { name: `process ${t1}`, kind: 'consumer', service: TS },
      { name: `send ${t2}`, kind: 'producer', service: TS },
      { name: `${t2} receive`, kind: 'consumer', service: 'it-poly-go-out' },
    ]);
    assert.equal(spanIdOf(atGo.headers.traceparent), send?.spanId, 'the new traceparent names the TS send span');
    assert.equal(receive?.parentSpanId, send?.spanId);
    assert.ok(send?.links.some((l) => l.spanId === publish?.spanId && l.traceId === traceId), 'the send span links to the stale context');
  });
});
