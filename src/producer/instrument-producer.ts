import { context, trace, type Span } from '@opentelemetry/api';
import type { Message, Producer, ProducerBatch, ProducerRecord, RecordMetadata, Transaction } from 'kafkajs';
import type { ProducerInstrumentationOptions } from '../options';
import { reportSwallowed } from '../diag/report-once';
import { errorType, recordError } from '../spans/span-errors';
import { clientTracing, type ClientTracing } from '../client-tracing';
import type { ClientAdapter } from '../clients/client-adapter';
import { adapterForClient } from '../clients/detect-client';
import { requireMethods } from '../clients/require-methods';
import type { TraceableProducer } from '../clients/traceable-clients';
import { recordAck, startBatchSendSpan, startMessageSpan } from './producer-spans';

/** Marks a producer or transaction already wrapped, so wrapping twice does not double spans. */
const INSTRUMENTED = Symbol.for('kafkajs-tracing.instrumented');

type Sender = Pick<Producer, 'send' | 'sendBatch'>;
/** Ends the spans of a send when the broker answers; the caller gets kafkajs's own result or error. */
async function settle<A>(tracing: ClientTracing, traced: Settling, send: (arg: A) => Promise<RecordMetadata[]>, arg: A): Promise<RecordMetadata[]> {
  const measuring = tracing.metrics.isEnabled();
  const started = measuring ? performance.now() : 0;
  let failure: string | undefined;
  try {
    const metadata = await send(arg);
    for (const span of traced.spans) recordAck(span, metadata, traced.single);
    return metadata;
  } catch (err) {
    failure = errorType(err);
    for (const span of traced.spans) recordError(span, err);
    throw err;
  } finally {
    for (const span of traced.spans) span.end();
    if (measuring) tracing.metrics.recordSend(traced.topic, traced.count, (performance.now() - started) / 1000, failure);
  }
}

/**
 * Traces the messages of one call. One message: a `send <topic>` span whose context that message
 * carries. Several: one `send` span for the call and, under it, a `create <topic>` span per message
 * carrying that message's context, so every consumer's parent is its own message's span.
 */
interface Settling {
  spans: Span[];
  single: boolean;
  /** The call's topic, undefined when it spans several. */
  topic: string | undefined;
  count: number;
}
interface Traced extends Settling {
  messages: Message[][];
}

function traceMessages(tracing: ClientTracing, options: ProducerInstrumentationOptions, groups: { topic: string; messages: Message[] }[]): Traced {
  const parent = context.active();
  let count = 0;
  const topics = new Set<string>();
  for (const g of groups) {
    count += g.messages.length;
    topics.add(g.topic);
  }
  if (count === 1) {
    const g = groups.find((x) => x.messages.length === 1) as { topic: string; messages: Message[] };
    const { span, message } = startMessageSpan(tracing, options, 'send', g.topic, g.messages[0] as Message, parent);
    return { spans: [span], messages: groups.map((x) => (x === g ? [message] : x.messages)), single: true, topic: g.topic, count };
  }
  const sendSpan = startBatchSendSpan(tracing, options, topics, count, parent);
  const sendCtx = trace.setSpan(parent, sendSpan);
  let messages: Message[][];
  try {
    messages = groups.map((g) =>
      g.messages.map((m) => startMessageSpan(tracing, options, 'create', g.topic, m, sendCtx).message),
    );
  } catch (err) {
    sendSpan.end(); // the caller sends untraced; the span it started must not stay open
    throw err;
  }
  const [only] = topics;
  return { spans: [sendSpan], messages, single: false, topic: topics.size === 1 ? only : undefined, count };
}

function wrapSender<S extends Sender>(sender: S, tracing: ClientTracing, options: ProducerInstrumentationOptions, adapter: ClientAdapter): S {
  const flagged = sender as S & { [INSTRUMENTED]?: true };
  if (flagged[INSTRUMENTED]) return sender;
  const original = sender.send as (this: S, record: ProducerRecord, ...rest: unknown[]) => Promise<RecordMetadata[]>;
  // A plain call, not a bound function: V8 calls a bound one through a slower path.
  const sendWith = (record: ProducerRecord): Promise<RecordMetadata[]> => original.call(sender, record);
  const batchSend = sender.sendBatch.bind(sender) as (batch: ProducerBatch, ...rest: unknown[]) => Promise<RecordMetadata[]>;
  // A client whose sendBatch calls this.send() per topic (Confluent's, synchronously) would have those
  // calls, whose messages this wrapper already traced, traced again: they pass straight through.
  let inSendBatch = false;
  const sendBatchWith = !adapter.sendBatchCallsSend
    ? batchSend
    : (batch: ProducerBatch, ...rest: unknown[]): Promise<RecordMetadata[]> => {
        inSendBatch = true;
        try {
          return batchSend(batch, ...rest);
        } finally {
          inSendBatch = false;
        }
      };

  // Extra arguments go through as they came, on every wrapped call: a client may take more than kafkajs's types say.
  sender.send = function tracedSend(record: ProducerRecord): Promise<RecordMetadata[]> {
    // Without extra arguments (nearly every call) no list of them, no closure over them, no spread call.
    // eslint-disable-next-line prefer-rest-params -- `arguments.length` costs no allocation; a rest parameter would, on every send
    const rest = arguments.length > 1 ? (Array.prototype.slice.call(arguments, 1) as unknown[]) : undefined;
    const send = rest === undefined ? sendWith : (r: ProducerRecord) => original.call(sender, r, ...rest);
    // Malformed input is the client's to reject, with its own error.
    if (inSendBatch || !tracing.active() || !record || !Array.isArray(record.messages) || record.messages.length === 0) return send(record);
    try {
      if (record.messages.length === 1) {
        // The common case, kept free of the bookkeeping a multi-message call needs.
        const { span, message } = startMessageSpan(tracing, options, 'send', record.topic, record.messages[0] as Message, context.active());
        const traced = { ...record, messages: [message] };
        // Sampled out and no metrics: nothing waits for the broker's answer, so no promise of ours either.
        if (!span.isRecording() && !tracing.metrics.isEnabled()) return send(traced);
        return settle(tracing, { spans: [span], single: true, topic: record.topic, count: 1 }, send, traced);
      }
      const traced = traceMessages(tracing, options, [{ topic: record.topic, messages: record.messages }]);
      return settle(tracing, traced, send, { ...record, messages: traced.messages[0] as Message[] });
    } catch (err) {
      reportSwallowed('span-setup', err);
      return send(record); // tracing must never stand in the way of a send
    }
  };

  sender.sendBatch = (batch: ProducerBatch, ...rest: unknown[]): Promise<RecordMetadata[]> => {
    const sendBatch = (b: ProducerBatch) => sendBatchWith(b, ...rest);
    const groups = batch?.topicMessages;
    if (!tracing.active() || !Array.isArray(groups) || groups.length === 0 || !groups.every((g) => g && Array.isArray(g.messages))) {
      return sendBatch(batch);
    }
    let traced: Traced;
    try {
      traced = traceMessages(tracing, options, groups);
    } catch (err) {
      reportSwallowed('span-setup', err);
      return sendBatch(batch);
    }
    const topicMessages = groups.map((g, i) => ({ ...g, messages: traced.messages[i] as Message[] }));
    return settle(tracing, traced, sendBatch, { ...batch, topicMessages });
  };

  Object.defineProperty(sender, INSTRUMENTED, { value: true });
  return sender;
}

/**
 * Instruments a producer in place and returns it, with its own type: kafkajs's `Producer` or
 * Confluent's KafkaJS-compatible `KafkaJS.Producer` (`@confluentinc/kafka-javascript`, recognised by
 * its shape; the package is never loaded by this one). Every message sent through `send`,
 * `sendBatch` or a transaction's `send`/`sendBatch` gets a PRODUCER span and carries that span's
 * context in its headers (W3C `traceparent`, `tracestate`, `baggage` with the default propagator).
 *
 * The client's signatures, results and errors are unchanged; a failed send records the error on its
 * span and rejects with the same error. The caller's message objects are never changed (Confluent's
 * `send` rewrites the messages it is given; with tracing on it is given copies). Instrumenting the
 * same producer twice is a no-op. With no tracer provider registered, no header is changed. An object
 * without `send`, `sendBatch` and `transaction` (such as Confluent's node-rdkafka style `Producer`) is
 * rejected with a `TypeError` naming what is missing.
 *
 * @example
 * const producer = instrumentProducer(kafka.producer(), { clientId: 'checkout' });
 * await producer.send({ topic: 'orders', messages: [{ key: 'o-1', value: '{"total":12}' }] });
 */
export function instrumentProducer<P extends TraceableProducer>(producer: P, options: ProducerInstrumentationOptions = {}): P {
  requireMethods('instrumentProducer', producer, ['send', 'sendBatch', 'transaction']);
  const flagged = producer as P & { [INSTRUMENTED]?: true };
  if (flagged[INSTRUMENTED]) return producer;
  const tracing = clientTracing(options);
  const adapter = adapterForClient(producer);
  // Inside, both clients are driven through kafkajs's types: the calls used are the same shape.
  const client = producer as unknown as Producer;
  const transaction = client.transaction.bind(client) as (...args: unknown[]) => Promise<Transaction>;
  // Confluent's transaction() resolves to the producer itself, already wrapped: wrapSender sees its mark.
  client.transaction = async (...args: unknown[]): Promise<Transaction> => wrapSender(await transaction(...args), tracing, options, adapter);
  wrapSender(client, tracing, options, adapter);
  return producer;
}
