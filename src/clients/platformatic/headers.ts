import type { Context } from '@opentelemetry/api';
import type { IHeaders } from 'kafkajs';
import { reportSwallowed } from '../../diag/report-once';
import { headerSetter } from '../../propagation/header-carrier';
import type { Propagator } from '../../propagation/propagator';
import type { PlatformaticOutgoingMessage, RawRecord } from './channel-types';

/**
 * What header keys and values a producer's serializers take: `'buffer'` for the client's default
 * (no serializers: bytes go out as given), `'string'` for string serializers such as the client's
 * `stringSerializers`.
 */
export type PlatformaticHeaderType = 'buffer' | 'string';

/** A header key as text, or undefined when it is neither a string nor bytes. */
function keyText(key: unknown): string | undefined {
  if (typeof key === 'string') return key;
  return Buffer.isBuffer(key) ? key.toString('utf8') : undefined;
}

/** Adds a value under `key`, keeping repeated keys as a list (the carrier reads both). */
function add(record: IHeaders, key: string, value: Buffer | string): void {
  if (key === '__proto__') return; // never a trace field; an own property of that name would need defineProperty
  const had = record[key];
  if (had === undefined) record[key] = value;
  else if (Array.isArray(had)) had.push(value);
  else record[key] = [had, value];
}

/**
 * A consumed record's headers as the record the propagation carrier reads: from the bytes on the
 * wire when the event has them (whatever the consumer's deserializers make of headers), else from
 * the delivered message's `Map`. @internal
 */
export function receivedHeaders(raw: RawRecord | undefined, delivered: Map<unknown, unknown> | undefined): IHeaders {
  const record: IHeaders = {};
  if (raw && Array.isArray(raw.headers)) {
    for (const [key, value] of raw.headers) {
      const k = keyText(key);
      if (k !== undefined && Buffer.isBuffer(value)) add(record, k, value);
    }
    return record;
  }
  if (delivered instanceof Map) {
    for (const [key, value] of delivered) {
      const k = keyText(key);
      if (k !== undefined && (typeof value === 'string' || Buffer.isBuffer(value))) add(record, k, value);
    }
  }
  return record;
}

/** An outgoing message's headers as a record the carrier reads (for the context a forwarded message already carries). @internal */
export function outgoingHeaders(headers: PlatformaticOutgoingMessage['headers']): IHeaders | undefined {
  if (!headers) return undefined;
  if (headers instanceof Map) return receivedHeaders(undefined, headers);
  const record: IHeaders = {};
  for (const key of Object.keys(headers)) {
    const value = headers[key];
    if (typeof value === 'string' || Buffer.isBuffer(value)) add(record, key, value);
  }
  return record;
}

/**
 * Returns a copy of the message whose headers (a new `Map` or record, of the caller's kind; a `Map`
 * when it had none) carry
 * `ctx`; the caller's message and headers are not touched. Earlier values of the fields the
 * propagator writes (matched case-insensitively) are replaced. When the propagator writes nothing,
 * or fails (said once through diag), the message itself is returned. @internal
 */
export function injectIntoOutgoing(propagator: Propagator, ctx: Context, message: PlatformaticOutgoingMessage, type: PlatformaticHeaderType): PlatformaticOutgoingMessage {
  const fields: Record<string, string> = {};
  try {
    propagator.inject(ctx, fields, headerSetter);
  } catch (err) {
    reportSwallowed('inject', err);
    return message;
  }
  const written = Object.keys(fields);
  if (written.length === 0) return message;
  const replaced = (key: unknown): boolean => {
    const text = keyText(key);
    return text !== undefined && written.includes(text.toLowerCase());
  };
  const encode = type === 'string' ? (s: string): Buffer | string => s : (s: string): Buffer | string => Buffer.from(s, 'utf8');
  const old = message.headers;
  let headers: Map<unknown, unknown> | Record<string, unknown>;
  // No headers yet: a Map, whose keys can be bytes (the client turns a record's keys into strings,
  // which its default serializers cannot write).
  if (old === undefined || old === null || old instanceof Map) {
    const map = new Map<unknown, unknown>();
    if (old) for (const [key, value] of old) if (!replaced(key)) map.set(key, value);
    for (const key of written) map.set(encode(key), encode(fields[key] as string));
    headers = map;
  } else {
    // A record's keys are strings whatever the serializers; its values follow the header type.
    const record: Record<string, unknown> = {};
    for (const key of Object.keys(old)) if (!replaced(key)) Object.defineProperty(record, key, { value: old[key], enumerable: true, writable: true, configurable: true });
    for (const key of written) record[key] = encode(fields[key] as string);
    headers = record;
  }
  return { ...message, headers };
}
