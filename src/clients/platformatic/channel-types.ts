// The shapes this package reads from @platformatic/kafka's diagnostics channels, written out
// structurally: the client is an optional peer, never loaded by the middleware. Checked against the
// client's own declarations in test/types/client-types.ts.

/** A message given to `@platformatic/kafka`'s `Producer.send` (its `MessageToProduce`), as far as tracing reads it. */
export interface PlatformaticOutgoingMessage {
  /** Topic the message goes to. */
  topic: string;
  /** The key before serialization. */
  key?: unknown;
  /** The value before serialization. */
  value?: unknown;
  /** Headers before serialization: a `Map` or a record, as the client accepts. */
  headers?: Map<unknown, unknown> | Record<string, unknown>;
  /** Partition, when the caller chose one. */
  partition?: number;
}

/** A message delivered by `@platformatic/kafka`'s `MessagesStream` (its `Message`), as far as tracing reads it. */
export interface PlatformaticMessage {
  /** Topic the message was read from. */
  topic: string;
  /** Partition the message was read from. */
  partition: number;
  /** The message's offset. */
  offset: bigint;
  /** The message's timestamp, in ms since the epoch. */
  timestamp: bigint;
  /** The key after deserialization. */
  key: unknown;
  /** The value after deserialization. */
  value: unknown;
  /** Headers after deserialization. */
  headers: Map<unknown, unknown>;
}

/** A record as read from the wire, before deserialization (`raw` of a receive event). @internal */
export interface RawRecord {
  key?: Buffer | null;
  value?: Buffer | null;
  headers?: [Buffer | null, Buffer | null][];
}

/** The client a diagnostics event names (`Producer` or `Consumer`). @internal */
export interface ChannelClient {
  clientId?: unknown;
  groupId?: unknown;
}

/** The context of a `plt:kafka:producer:sends` event (a `Producer.send` call). @internal */
export interface SendEvent {
  client?: ChannelClient;
  options?: { messages?: PlatformaticOutgoingMessage[] };
  result?: { offsets?: { topic: string; partition: number; offset: bigint }[] };
  error?: unknown;
}

/** The context of a `plt:kafka:consumer:receives` event (one message handed to a `MessagesStream`). @internal */
export interface ReceiveEvent {
  client?: ChannelClient;
  raw?: RawRecord;
  result?: PlatformaticMessage;
  error?: unknown;
}
