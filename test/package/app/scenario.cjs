// The scenario every way of loading the package runs (see load.cjs, load.mjs and the esbuild bundle
// of load.mjs): one message produced and consumed through stand-in clients (no broker), traced by a
// startTracing provider into an in-memory exporter of the application's own SDK. Prints one JSON line.
'use strict';

/**
 * @param {string} how how the entries were loaded
 * @param {{ middleware: any, setup: any, harness: any, sdk: any }} loaded the entries and the app's SDK
 */
async function traceOneMessage(how, { middleware, setup, harness, sdk }) {
  const exporter = new sdk.InMemorySpanExporter();
  const tracing = setup.startTracing({ serviceName: `app-${how}`, exporter, register: false, batch: { scheduledDelayMillis: 10 } });
  const options = { tracerProvider: tracing.provider };

  const sent = [];
  const ack = (topicName) => [{ topicName, partition: 0, errorCode: 0, baseOffset: '7' }];
  const stub = {
    send: async (record) => (sent.push(record), ack(record.topic)),
    sendBatch: async (batch) => batch.topicMessages.map((t) => ack(t.topic)[0]),
    transaction: async () => stub,
  };
  const producer = middleware.instrumentProducer(stub, options);
  await producer.send({ topic: 'orders', messages: [{ key: 'o-1', value: 'paid' }] });

  let runConfig;
  const consumer = middleware.instrumentConsumer({ run: async (config) => void (runConfig = config) }, { ...options, groupId: 'payments' });
  let handled = 0;
  await consumer.run({ eachMessage: async () => void handled++ });
  const message = { ...sent[0].messages[0], offset: '7', timestamp: String(Date.now()), attributes: 0 };
  await runConfig.eachMessage({ topic: 'orders', partition: 0, message, heartbeat: async () => undefined, pause: () => () => undefined });

  await tracing.forceFlush(); // not shutdown(): the in-memory exporter forgets its spans on shutdown
  const spans = exporter.getFinishedSpans().map((s) => ({
    name: s.name,
    traceId: s.spanContext().traceId,
    spanId: s.spanContext().spanId,
    parentSpanId: s.parentSpanContext?.spanId,
  }));
  await tracing.shutdown();
  const traceparent = String(sent[0].messages[0].headers.traceparent);
  console.log(JSON.stringify({ how, spans, traceparent, handled, traceUrl: harness.traceUrl('http://jaeger/', 'abc') }));
}

module.exports = { traceOneMessage };
