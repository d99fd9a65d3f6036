import type { Attributes } from '@opentelemetry/api';
import { FIXED64, LEN, ProtoWriter, VARINT } from './proto-writer';

/**
 * Attributes as OTLP `KeyValue`s (common.proto), mapped as `@opentelemetry/otlp-transformer` maps
 * them: strings, booleans, integers within int64 as `int_value`, other numbers as `double_value`,
 * `Uint8Array` as `bytes_value`, arrays as `array_value` (each element mapped the same way; an
 * empty `AnyValue` for null or undefined), plain objects as `kvlist_value`.
 * @internal
 */

// AnyValue fields.
const STRING_VALUE = 1;
const BOOL_VALUE = 2;
const INT_VALUE = 3;
const DOUBLE_VALUE = 4;
const ARRAY_VALUE = 5;
const KVLIST_VALUE = 6;
const BYTES_VALUE = 7;
// KeyValue, ArrayValue and KeyValueList fields.
const KV_KEY = 1;
const KV_VALUE = 2;
const LIST_VALUES = 1;

const MIN_INT64 = -(2 ** 63);
const MAX_INT64 = 2 ** 63; // one past the largest

/** Writes one `AnyValue` message body. */
export function writeAnyValue(w: ProtoWriter, value: unknown): void {
  switch (typeof value) {
    case 'string':
      w.tag(STRING_VALUE, LEN);
      w.string(value);
      return;
    case 'boolean':
      w.tag(BOOL_VALUE, VARINT);
      w.uint32(value ? 1 : 0);
      return;
    case 'number':
      if (Number.isInteger(value) && value >= MIN_INT64 && value < MAX_INT64) {
        w.tag(INT_VALUE, VARINT);
        w.int64(value);
      } else {
        w.tag(DOUBLE_VALUE, FIXED64);
        w.double(value);
      }
      return;
    case 'object':
      if (value === null) return;
      if (value instanceof Uint8Array) {
        w.tag(BYTES_VALUE, LEN);
        w.bytes(value);
      } else if (Array.isArray(value)) {
        w.tag(ARRAY_VALUE, LEN);
        const list = w.openMessage(2);
        for (const item of value as unknown[]) {
          w.tag(LIST_VALUES, LEN);
          const one = w.openMessage();
          writeAnyValue(w, item);
          w.closeMessage(one);
        }
        w.closeMessage(list);
      } else {
        w.tag(KVLIST_VALUE, LEN);
        const list = w.openMessage(2);
        const obj = value as Record<string, unknown>;
        for (const key in obj) {
          if (!Object.prototype.hasOwnProperty.call(obj, key)) continue;
          w.tag(LIST_VALUES, LEN);
          const kv = w.openMessage();
          writeKeyValueBody(w, key, obj[key]);
          w.closeMessage(kv);
        }
        w.closeMessage(list);
      }
      return;
    default:
      // undefined and anything else: an empty AnyValue, as the reference writes nothing either.
      return;
  }
}

/** Encoded `KeyValue.key` fields (tag, length, bytes) of the keys that start every span's attributes. */
const keyFields = new Map<string, Uint8Array>();
const MAX_CACHED_KEYS = 512;

function writeKey(w: ProtoWriter, key: string): void {
  let field = keyFields.get(key);
  if (field === undefined && keyFields.size < MAX_CACHED_KEYS && key.length <= 128) {
    const one = new ProtoWriter(8 + key.length * 3);
    one.tag(KV_KEY, LEN);
    one.string(key);
    field = one.copy();
    keyFields.set(key, field);
  }
  if (field) w.raw(field);
  else {
    w.tag(KV_KEY, LEN);
    w.string(key);
  }
}

function writeKeyValueBody(w: ProtoWriter, key: string, value: unknown): void {
  writeKey(w, key);
  w.tag(KV_VALUE, LEN);
  const v = w.openMessage();
  writeAnyValue(w, value);
  w.closeMessage(v);
}

/**
 * Whole length-prefixed `KeyValue`s of string values that repeat from span to span (messaging
 * system, operation, destination, consumer group): a copy instead of an encoding. Bounded per key,
 * so values unique to a span (message keys, ids) fill a key's few slots and are then encoded as they come.
 */
const stringPairs = new Map<string, Map<string, Uint8Array>>();
const MAX_CACHED_VALUES_PER_KEY = 32;
const MAX_CACHED_VALUE_LENGTH = 64;

function writeStringPair(w: ProtoWriter, key: string, value: string): boolean {
  let values = stringPairs.get(key);
  const cached = values?.get(value);
  if (cached) {
    w.raw(cached);
    return true;
  }
  if (value.length > MAX_CACHED_VALUE_LENGTH || key.length > 128) return false;
  if (values ? values.size >= MAX_CACHED_VALUES_PER_KEY : stringPairs.size >= MAX_CACHED_KEYS) return false;
  const one = new ProtoWriter(16 + 3 * (key.length + value.length));
  const mark = one.openMessage();
  writeKeyValueBody(one, key, value);
  one.closeMessage(mark);
  const bytes = one.copy();
  if (!values) stringPairs.set(key, (values = new Map()));
  values.set(value, bytes);
  w.raw(bytes);
  return true;
}

/** Writes `attributes` as repeated `KeyValue`s in field `field` of the enclosing message. */
export function writeAttributes(w: ProtoWriter, field: number, attributes: Attributes): void {
  for (const key in attributes) {
    if (!Object.prototype.hasOwnProperty.call(attributes, key)) continue;
    const value = attributes[key];
    w.tag(field, LEN);
    if (typeof value === 'string' && writeStringPair(w, key, value)) continue;
    const kv = w.openMessage();
    writeKeyValueBody(w, key, value);
    w.closeMessage(kv);
  }
}
