import { isUtf8 } from 'node:buffer';
import type { Attributes } from '@opentelemetry/api';
import { ATTR } from '../semconv';

/** Longest message key recorded as an attribute, in characters; longer keys are cut to this length. */
export const MAX_KEY_LENGTH = 256;

/**
 * Key, tombstone and body-size attributes of one message, shared by producer and consumer spans.
 * Bodies are never recorded, only their size. @internal
 */
export function addMessageAttributes(
  attributes: Attributes,
  key: Buffer | string | null | undefined,
  value: Buffer | string | null | undefined,
  captureKey: boolean,
): void {
  if (captureKey) {
    const text = typeof key === 'string' ? key : Buffer.isBuffer(key) ? keyText(key) : undefined;
    if (text !== undefined) attributes[ATTR.KAFKA_MESSAGE_KEY] = text.length > MAX_KEY_LENGTH ? text.slice(0, MAX_KEY_LENGTH) : text;
  }
  if (value === null) {
    attributes[ATTR.KAFKA_TOMBSTONE] = true;
  } else if (typeof value === 'string') {
    attributes[ATTR.MESSAGE_BODY_SIZE] = Buffer.byteLength(value, 'utf8');
  } else if (Buffer.isBuffer(value)) {
    attributes[ATTR.MESSAGE_BODY_SIZE] = value.length;
  }
}

/** Enough UTF-8 bytes for {@link MAX_KEY_LENGTH} UTF-16 units whatever the characters (at most 4 bytes each). */
const MAX_KEY_BYTES = MAX_KEY_LENGTH * 4;

/**
 * A Buffer key as text, or undefined when it is binary. kafkajs hands every consumed key over as a
 * Buffer, so string keys a producer wrote arrive this way. Text means valid UTF-8 without control
 * characters other than tab and line breaks: an 8-byte big-endian id is valid UTF-8 but not text.
 */
function keyText(key: Buffer): string | undefined {
  if (key.length === 0 || !isUtf8(key)) return undefined;
  for (let i = 0; i < key.length; i++) {
    const b = key[i] as number;
    if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) || b === 0x7f) return undefined;
  }
  // Decoding only the bytes that can reach the cut keeps a huge key from costing a huge string.
  return (key.length > MAX_KEY_BYTES ? key.subarray(0, MAX_KEY_BYTES) : key).toString('utf8');
}
