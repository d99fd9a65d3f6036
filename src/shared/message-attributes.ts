import type { Attributes } from '@opentelemetry/api';
import { ATTR } from '../semconv';
import { MAX_KEY_LENGTH } from '../options';

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
  if (captureKey && typeof key === 'string') {
    attributes[ATTR.KAFKA_MESSAGE_KEY] = key.length > MAX_KEY_LENGTH ? key.slice(0, MAX_KEY_LENGTH) : key;
  }
  if (value === null) {
    attributes[ATTR.KAFKA_TOMBSTONE] = true;
  } else if (typeof value === 'string') {
    attributes[ATTR.MESSAGE_BODY_SIZE] = Buffer.byteLength(value, 'utf8');
  } else if (Buffer.isBuffer(value)) {
    attributes[ATTR.MESSAGE_BODY_SIZE] = value.length;
  }
}
