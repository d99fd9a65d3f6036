// The service the W3C Trace Context test suite drives (scripts/w3c/run-suite.mjs): for POST /test it
// continues the context of the request's headers and calls back each URL of the body with the context
// it injects. Two carriers:
//   --carrier=http   the propagator startTracing registers, over the HTTP headers (repeated ones as a list)
//   --carrier=kafka  the package's middleware: the headers become a Kafka message's (Buffer values, a
//                    repeated name as a list, names as sent), consumed by an instrumented consumer whose
//                    handler sends through an instrumented producer; the sent message's headers go back
// --negative swaps in @opentelemetry/core's W3C propagators: the control that must fail the suite.
// Prints {"port": n} once listening on 127.0.0.1.
import { createServer, type IncomingMessage } from 'node:http';
import { ROOT_CONTEXT, SpanKind, propagation, trace, type TextMapGetter } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Consumer, ConsumerRunConfig, EachMessagePayload, IHeaders, KafkaMessage, Producer, ProducerRecord, RecordMetadata } from 'kafkajs';
import { instrumentConsumer, instrumentProducer } from '../../src/index';
import { startTracing } from '../../src/setup/index';

interface Callback {
  url: string;
  arguments: unknown;
}

const carrier = process.argv.find((a) => a.startsWith('--carrier='))?.slice('--carrier='.length) ?? 'http';
const negative = process.argv.includes('--negative');

startTracing({ serviceName: 'w3c-service', exporter: new InMemorySpanExporter(), metrics: false, flushOnSignals: false });
if (negative) {
  propagation.disable();
  propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
}

// The global tracer: what startTracing registered is what is exercised.
const tracer = trace.getTracer('w3c');

async function callBack(url: string, body: unknown, headers: [string, string][]): Promise<void> {
  await fetch(url, { method: 'POST', headers: [...headers, ['content-type', 'application/json']], body: JSON.stringify(body) });
}

// --- HTTP carrier -------------------------------------------------------------------------------------
const httpGetter: TextMapGetter<NodeJS.Dict<string[]>> = {
  keys: (c) => Object.keys(c),
  get(c, key) {
    const values = c[key.toLowerCase()];
    return values && values.length === 1 ? values[0] : values;
  },
};

async function overHttp(req: IncomingMessage, callbacks: Callback[]): Promise<void> {
  const ctx = propagation.extract(ROOT_CONTEXT, req.headersDistinct, httpGetter);
  const span = tracer.startSpan('w3c test', { kind: SpanKind.SERVER }, ctx);
  try {
    // A CLIENT span per callback, as an instrumented HTTP client makes: the suite's AdvancedTest wants a
    // distinct parent id on each callback, so injecting the server span itself would fail three tests.
    const serverCtx = trace.setSpan(ctx, span);
    for (const cb of callbacks) {
      const client = tracer.startSpan('callback', { kind: SpanKind.CLIENT }, serverCtx);
      const headers: Record<string, string> = {};
      propagation.inject(trace.setSpan(serverCtx, client), headers);
      try {
        await callBack(cb.url, cb.arguments, Object.entries(headers));
      } finally {
        client.end();
      }
    }
  } finally {
    span.end();
  }
}

// --- Kafka carrier, through the middleware ------------------------------------------------------------
let handle: ConsumerRunConfig['eachMessage'];
const consumer = instrumentConsumer({ run: async (config?: ConsumerRunConfig) => void (handle = config?.eachMessage) } as unknown as Consumer);
const sent: IHeaders[] = [];
const producer = instrumentProducer(
  {
    send: async (record: ProducerRecord): Promise<RecordMetadata[]> => {
      for (const m of record.messages) sent.push(m.headers ?? {});
      return [{ topicName: record.topic, partition: 0, errorCode: 0, baseOffset: '0' }];
    },
    sendBatch: async () => [],
    transaction: async () => {
      throw new Error('not used');
    },
  } as unknown as Producer,
  // Default options on purpose (the pipeline-origin tracestate entry included): the configuration users get.
);
void consumer.run({
  eachMessage: async ({ message }) => {
    const callbacks = JSON.parse(String(message.value)) as Callback[];
    for (const cb of callbacks) {
      sent.length = 0;
      await producer.send({ topic: 'w3c-callbacks', messages: [{ value: JSON.stringify(cb.arguments) }] });
      // A header the producer wrote more than once goes out as that many HTTP headers.
      const headers: [string, string][] = [];
      for (const [k, v] of Object.entries(sent[0] ?? {})) for (const one of [v ?? []].flat()) headers.push([k, String(one)]);
      await callBack(cb.url, cb.arguments, headers);
    }
  },
});

/** The request's headers as a Kafka client hands them over: names as sent, Buffers, a list for a repeated name. */
function kafkaHeaders(req: IncomingMessage): IHeaders {
  const headers: IHeaders = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] as string;
    const value = Buffer.from(req.rawHeaders[i + 1] as string);
    const had = headers[name];
    headers[name] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [had as Buffer, value];
  }
  return headers;
}

async function overKafka(req: IncomingMessage, callbacks: Callback[]): Promise<void> {
  const message = { key: null, value: Buffer.from(JSON.stringify(callbacks)), timestamp: String(Date.now()), attributes: 0, offset: '0', headers: kafkaHeaders(req) } as KafkaMessage;
  await handle?.({ topic: 'w3c', partition: 0, message, heartbeat: async () => undefined, pause: () => () => undefined } as EachMessagePayload);
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    let callbacks: Callback[];
    try {
      callbacks = JSON.parse(Buffer.concat(chunks).toString() || '[]') as Callback[];
    } catch {
      res.writeHead(400).end();
      return;
    }
    (carrier === 'kafka' ? overKafka(req, callbacks) : overHttp(req, callbacks)).then(
      () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'),
      (err: unknown) => res.writeHead(500).end(String(err)),
    );
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
});
