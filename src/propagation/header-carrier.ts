import type { TextMapGetter, TextMapSetter } from '@opentelemetry/api';
import type { IHeaders } from 'kafkajs';
import { reportSwallowed } from '../diag/report-once';

/**
 * Largest header value read for propagation, in bytes. W3C baggage allows 8192 bytes, trace context
 * far less; anything bigger is ignored before it is decoded, so a hostile producer cannot make every
 * consumer decode megabytes.
 */
export const MAX_HEADER_VALUE_BYTES = 8192;

/** At most this many values of a repeated header are read. @internal */
export const MAX_HEADER_VALUES = 32;

type HeaderValue = IHeaders[string];

function decode(value: unknown): string | undefined {
  if (typeof value === 'string') {
    // A JS string's UTF-8 size is at most 3 bytes per UTF-16 unit: check cheaply, then exactly.
    if (value.length * 3 <= MAX_HEADER_VALUE_BYTES) return value;
    return Buffer.byteLength(value, 'utf8') <= MAX_HEADER_VALUE_BYTES ? value : undefined;
  }
  if (Buffer.isBuffer(value)) {
    return value.length <= MAX_HEADER_VALUE_BYTES ? value.toString('utf8') : undefined;
  }
  return undefined;
}

/** Reads a header value (string, Buffer, or an array of them) as what a propagator expects. @internal */
export function readValue(value: HeaderValue): string | string[] | undefined {
  if (!Array.isArray(value)) return decode(value);
  const out: string[] = [];
  for (let i = 0; i < value.length && i < MAX_HEADER_VALUES; i++) {
    const s = decode(value[i]);
    if (s !== undefined) out.push(s);
  }
  return out.length > 0 ? out : undefined;
}

/**
 * Propagation getter over kafkajs message headers. Keys are matched case-insensitively (Kafka header
 * keys are case-sensitive, but other clients write `Traceparent`); values may be strings, Buffers or
 * arrays of them, and are size-capped before decoding. Never throws.
 * @internal
 */
export const headerGetter: TextMapGetter<IHeaders | undefined> = {
  keys(carrier) {
    return carrier ? Object.keys(carrier) : [];
  },
  get(carrier, key) {
    if (!carrier) return undefined;
    try {
      if (Object.prototype.hasOwnProperty.call(carrier, key)) {
        const exact = readValue(carrier[key]);
        if (exact !== undefined) return exact;
      }
      // Own enumerable keys only (for…in would walk a prototype's too). Lowercasing never shortens a
      // string, so a longer key cannot match.
      for (const k of Object.keys(carrier)) {
        if (k.length <= key.length && k !== key && k.toLowerCase() === key) return readValue(carrier[k]);
      }
    } catch (err) {
      // A hostile carrier (getters that throw, proxies) reads as "no header".
      reportSwallowed('header-read', err);
    }
    return undefined;
  },
};

/**
 * Propagation setter writing string values under lowercase keys into a plain object.
 * @internal
 */
export const headerSetter: TextMapSetter<Record<string, string>> = {
  set(carrier, key, value) {
    carrier[key.toLowerCase()] = value;
  },
};
