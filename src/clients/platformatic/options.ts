import type { Span } from '@opentelemetry/api';
import type { ConsumerInstrumentationOptions, ProducerInstrumentationOptions } from '../../options';
import type { ChannelClient, PlatformaticMessage, PlatformaticOutgoingMessage } from './channel-types';
import type { PlatformaticHeaderType } from './headers';

/** Information passed to {@link PlatformaticTracingOptions.producerHook}. */
export interface PlatformaticProducerHookInfo {
  /** Topic the message is sent to. */
  topic: string;
  /** The message as it will be sent: a copy of the caller's, its headers carrying the span's context. */
  message: PlatformaticOutgoingMessage;
}

/** Information passed to {@link PlatformaticTracingOptions.consumerHook}. */
export interface PlatformaticConsumerHookInfo {
  /** Topic the message was read from. */
  topic: string;
  /** Partition the message was read from. */
  partition: number;
  /** The message as the stream delivers it. */
  message: PlatformaticMessage;
}

/**
 * Options of {@link tracePlatformaticKafka}: those of the kafkajs producer and consumer middleware,
 * for every `@platformatic/kafka` producer and consumer of the process.
 */
export interface PlatformaticTracingOptions
  extends Omit<ProducerInstrumentationOptions, 'producerHook'>,
    Omit<ConsumerInstrumentationOptions, 'consumerHook' | 'maxBatchLinks'> {
  /**
   * What the producers' header serializers take, so the context is written in a form they pass on:
   * `'buffer'` (the default, the client's own default of no serializers) or `'string'` (string
   * serializers such as the client's `stringSerializers`). A wrong choice makes the client drop the
   * trace headers (a string serializer turns bytes into nothing) or fail the send (raw strings
   * where bytes are expected).
   */
  headerType?: PlatformaticHeaderType;
  /** `messaging.client.id` on every span. Default: each client's own `clientId`. */
  clientId?: string;
  /** `messaging.consumer.group.name` on `process` spans. Default: each consumer's own `groupId`. */
  groupId?: string;
  /** Called with each message's PRODUCER span right after it starts; what it throws is caught. */
  producerHook?: (span: Span, info: PlatformaticProducerHookInfo) => void;
  /** Called with each `process` span right after it starts; what it throws is caught. */
  consumerHook?: (span: Span, info: PlatformaticConsumerHookInfo) => void;
}

/** The middleware's options for one client: the client's own ids filled in, hooks left to the caller. @internal */
export type ClientOptions = ProducerInstrumentationOptions & ConsumerInstrumentationOptions;

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function optionsFor(options: PlatformaticTracingOptions, client: ChannelClient | undefined): ClientOptions {
  const { producerHook: _p, consumerHook: _c, headerType: _h, ...shared } = options;
  return { ...shared, clientId: options.clientId ?? text(client?.clientId), groupId: options.groupId ?? text(client?.groupId) };
}

/**
 * Gives the options for events of a client: the client's own client id and group id unless the
 * caller set them, built on the client's first event and kept while the client lives. @internal
 */
export function clientOptions(options: PlatformaticTracingOptions): (client: ChannelClient | undefined) => ClientOptions {
  const perClient = new WeakMap<object, ClientOptions>();
  const anonymous = optionsFor(options, undefined);
  return (client) => {
    if (!client || typeof client !== 'object') return anonymous;
    let found = perClient.get(client);
    if (!found) perClient.set(client, (found = optionsFor(options, client)));
    return found;
  };
}
