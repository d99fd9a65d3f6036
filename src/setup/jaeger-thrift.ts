import { SpanKind, SpanStatusCode, type AttributeValue, type HrTime } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { grown, HEX_VALUE } from './encode-bytes';

/**
 * Encodes spans as a `jaeger.thrift` Batch in Thrift's binary protocol: the body the Jaeger
 * collector takes at `POST /api/traces` (Content-Type `application/x-thrift`).
 *
 * Written for volume. jaeger-client (under `@opentelemetry/exporter-jaeger`) builds an object per
 * tag with every optional field set, so each tag carries four unused values, and encodes them
 * through a generic IDL interpreter; this writes only the value a tag has, straight into one buffer.
 * The mapping of a span to Jaeger fields is the exporter's (its `spanToThrift`), except that resource
 * attributes stay in the Process, once per batch, instead of being copied onto every span.
 * @internal
 */

// Thrift binary protocol type ids.
const T_BOOL = 2;
const T_DOUBLE = 4;
const T_I32 = 8;
const T_I64 = 10;
const T_STRING = 11;
const T_STRUCT = 12;
const T_LIST = 15;

// jaeger.thrift enums.
const TAG_STRING = 0;
const TAG_DOUBLE = 1;
const TAG_BOOL = 2;
const REF_FOLLOWS_FROM = 1;

const TWO_32 = 4294967296;

/** A Jaeger tag value, as the exporter maps attribute values: numbers and booleans kept, the rest as text. */
export type TagValue = string | number | boolean;

/** A growable buffer with the few Thrift writes a Batch needs. */
class ThriftWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(initial: number) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  private room(n: number): void {
    if (this.pos + n > this.buf.length) this.buf = grown(this.buf, this.pos, n);
  }

  field(type: number, id: number): void {
    this.room(3);
    this.buf[this.pos] = type;
    this.buf.writeInt16BE(id, this.pos + 1);
    this.pos += 3;
  }

  stop(): void {
    this.room(1);
    this.buf[this.pos++] = 0;
  }

  listHeader(elementType: number, size: number): void {
    this.room(5);
    this.buf[this.pos] = elementType;
    this.buf.writeInt32BE(size, this.pos + 1);
    this.pos += 5;
  }

  /** Starts a list whose size is not known yet; returns where to patch it with {@link patchSize}. */
  openList(elementType: number): number {
    this.listHeader(elementType, 0);
    return this.pos - 4;
  }

  patchSize(at: number, size: number): void {
    this.buf.writeInt32BE(size, at);
  }

  i32(value: number): void {
    this.room(4);
    this.buf.writeInt32BE(value, this.pos);
    this.pos += 4;
  }

  /** A non-negative integer up to 2^53 as a big-endian i64. */
  i64(value: number): void {
    this.room(8);
    const high = Math.floor(value / TWO_32);
    this.buf.writeUInt32BE(high >>> 0, this.pos);
    this.buf.writeUInt32BE((value - high * TWO_32) >>> 0, this.pos + 4);
    this.pos += 8;
  }

  /**
   * `hex` from `start` to `end` (a span id, or half a trace id) as an i64 when it is 16 hex digits,
   * else 0. A table lookup per digit: cheaper than a native call per id, and no substring.
   */
  i64Hex(hex: string, start = 0, end = hex.length): void {
    this.room(8);
    const buf = this.buf;
    const at = this.pos;
    this.pos += 8;
    if (end - start !== 16) return void buf.fill(0, at, at + 8);
    for (let i = 0; i < 8; i++) {
      const hi = HEX_VALUE[hex.charCodeAt(start + 2 * i)] ?? -1;
      const lo = HEX_VALUE[hex.charCodeAt(start + 2 * i + 1)] ?? -1;
      if ((hi | lo) < 0) return void buf.fill(0, at, at + 8);
      buf[at + i] = (hi << 4) | lo;
    }
  }

  double(value: number): void {
    this.room(8);
    this.buf.writeDoubleBE(value, this.pos);
    this.pos += 8;
  }

  bool(value: boolean): void {
    this.room(1);
    this.buf[this.pos++] = value ? 1 : 0;
  }

  string(value: string): void {
    const n = value.length;
    if (n <= 128) {
      // Attribute keys, span names and most values are short ASCII: a byte loop beats a native
      // call per string. Any other character falls back to the UTF-8 encoder below.
      this.room(4 + n);
      const start = this.pos + 4;
      let i = 0;
      for (; i < n; i++) {
        const c = value.charCodeAt(i);
        if (c >= 0x80) break;
        this.buf[start + i] = c;
      }
      if (i === n) {
        this.buf.writeInt32BE(n, this.pos);
        this.pos += 4 + n;
        return;
      }
    }
    const length = Buffer.byteLength(value, 'utf8');
    this.room(4 + length);
    this.buf.writeInt32BE(length, this.pos);
    this.buf.write(value, this.pos + 4, length, 'utf8');
    this.pos += 4 + length;
  }

  /** Bytes written as they are (a cached encoding). */
  raw(bytes: Uint8Array): void {
    this.room(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  result(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.pos;
  }

  /** Forgets what was written after `length` was `at` (a span that failed half-way through encoding). */
  truncate(at: number): void {
    this.pos = at;
  }
}

function toTagValue(value: AttributeValue | undefined): TagValue {
  return typeof value === 'number' || typeof value === 'boolean' ? value : String(value);
}

/**
 * The same few dozen attribute keys start every span's tags: their encoding (field header, length,
 * bytes, then the value-type field's header) is kept, bounded so that keys made up per span cannot grow it.
 */
const keyPrefixes = new Map<string, Uint8Array>();
const MAX_CACHED_KEYS = 512;

function tagKeyPrefix(key: string): Uint8Array | undefined {
  let prefix = keyPrefixes.get(key);
  if (prefix === undefined && keyPrefixes.size < MAX_CACHED_KEYS) {
    const w = new ThriftWriter(16 + key.length * 3);
    w.field(T_STRING, 1);
    w.string(key);
    w.field(T_I32, 2);
    prefix = Uint8Array.from(w.result());
    keyPrefixes.set(key, prefix);
  }
  return prefix;
}

/**
 * Whole encoded tags for string values that repeat from span to span (system, operation, topic,
 * partition, group, scope, kind): a copy instead of an encoding. Bounded per key, so that values
 * unique to a span (message keys) fill a key's few slots and are then encoded as they come.
 */
const stringTags = new Map<string, Map<string, Uint8Array>>();
const MAX_CACHED_VALUES_PER_KEY = 32;
const MAX_CACHED_VALUE_LENGTH = 64;

function writeStringTag(w: ThriftWriter, key: string, value: string): void {
  let values = stringTags.get(key);
  const cached = values?.get(value);
  if (cached) return w.raw(cached);
  if (value.length <= MAX_CACHED_VALUE_LENGTH && (values ? values.size < MAX_CACHED_VALUES_PER_KEY : stringTags.size < MAX_CACHED_KEYS)) {
    const one = new ThriftWriter(32 + 3 * (key.length + value.length));
    writeTagFields(one, key, value);
    const bytes = Uint8Array.from(one.result());
    if (!values) stringTags.set(key, (values = new Map()));
    values.set(value, bytes);
    return w.raw(bytes);
  }
  writeTagFields(w, key, value);
}

function writeTag(w: ThriftWriter, key: string, value: TagValue): void {
  if (typeof value === 'string') writeStringTag(w, key, value);
  else writeTagFields(w, key, value);
}

function writeTagFields(w: ThriftWriter, key: string, value: TagValue): void {
  const prefix = tagKeyPrefix(key);
  if (prefix) w.raw(prefix);
  else {
    w.field(T_STRING, 1);
    w.string(key);
    w.field(T_I32, 2);
  }
  if (typeof value === 'number') {
    w.i32(TAG_DOUBLE);
    w.field(T_DOUBLE, 4);
    w.double(value);
  } else if (typeof value === 'boolean') {
    w.i32(TAG_BOOL);
    w.field(T_BOOL, 5);
    w.bool(value);
  } else {
    w.i32(TAG_STRING);
    w.field(T_STRING, 3);
    w.string(value);
  }
  w.stop();
}

function micros(time: HrTime): number {
  // Truncated, as node-int64 does for the exporter.
  return Math.floor(time[0] * 1e6 + time[1] / 1e3);
}

/**
 * Writes the tags the exporter gives a span, minus the resource's (those are the Process's),
 * straight into the list: no intermediate tag objects. Returns how many were written.
 */
function writeSpanTags(w: ThriftWriter, span: ReadableSpan): number {
  let count = 0;
  const attributes = span.attributes;
  for (const key in attributes) {
    writeTag(w, key, toTagValue(attributes[key]));
    count++;
  }
  const status = span.status;
  if (status.code !== SpanStatusCode.UNSET) {
    writeTag(w, 'otel.status_code', SpanStatusCode[status.code]);
    count++;
    if (status.message) {
      writeTag(w, 'otel.status_description', status.message);
      count++;
    }
  }
  if (status.code === SpanStatusCode.ERROR) {
    writeTag(w, 'error', true);
    count++;
  }
  if (span.kind !== SpanKind.INTERNAL) {
    writeTag(w, 'span.kind', KIND_NAMES[span.kind] ?? SpanKind[span.kind].toLowerCase());
    count++;
  }
  // Named and left out as Jaeger's own OTLP translation does, so both export paths show the same
  // tags: the scope as otel.scope.name/version (each only when set), tracestate as w3c.tracestate.
  const scope = span.instrumentationScope;
  if (scope?.name) {
    writeTag(w, 'otel.scope.name', scope.name);
    count++;
  }
  if (scope?.version) {
    writeTag(w, 'otel.scope.version', scope.version);
    count++;
  }
  const traceState = span.spanContext().traceState?.serialize();
  if (traceState) {
    writeTag(w, 'w3c.tracestate', traceState);
    count++;
  }
  // Written out, not looped over a list: this runs for every span, and the list would be garbage.
  if (span.droppedAttributesCount) {
    writeTag(w, 'otel.dropped_attributes_count', span.droppedAttributesCount);
    count++;
  }
  if (span.droppedEventsCount) {
    writeTag(w, 'otel.dropped_events_count', span.droppedEventsCount);
    count++;
  }
  if (span.droppedLinksCount) {
    writeTag(w, 'otel.dropped_links_count', span.droppedLinksCount);
    count++;
  }
  return count;
}

const KIND_NAMES: Partial<Record<SpanKind, string>> = {
  [SpanKind.SERVER]: 'server',
  [SpanKind.CLIENT]: 'client',
  [SpanKind.PRODUCER]: 'producer',
  [SpanKind.CONSUMER]: 'consumer',
};

function writeSpan(w: ThriftWriter, span: ReadableSpan): void {
  const { traceId, spanId, traceFlags } = span.spanContext();
  const id = traceId.length === 32 ? traceId : traceId.padStart(32, '0');
  w.field(T_I64, 1);
  w.i64Hex(id, 16);
  w.field(T_I64, 2);
  w.i64Hex(id, 0, 16);
  w.field(T_I64, 3);
  w.i64Hex(spanId);
  w.field(T_I64, 4);
  const parent = span.parentSpanContext?.spanId;
  if (parent) w.i64Hex(parent);
  else w.i64(0);
  w.field(T_STRING, 5);
  w.string(span.name);
  if (span.links.length > 0) {
    // Links become FOLLOWS_FROM references, as the exporter maps them.
    w.field(T_LIST, 6);
    w.listHeader(T_STRUCT, span.links.length);
    for (const link of span.links) {
      const linkTrace = link.context.traceId.padStart(32, '0');
      w.field(T_I32, 1);
      w.i32(REF_FOLLOWS_FROM);
      w.field(T_I64, 2);
      w.i64Hex(linkTrace, 16);
      w.field(T_I64, 3);
      w.i64Hex(linkTrace, 0, 16);
      w.field(T_I64, 4);
      w.i64Hex(link.context.spanId);
      w.stop();
    }
  }
  w.field(T_I32, 7);
  // Jaeger's flags are not W3C's: its bit 2 means debug, where W3C's is the random trace id. Sampled only.
  w.i32((traceFlags & 1) || 1);
  w.field(T_I64, 8);
  w.i64(micros(span.startTime));
  w.field(T_I64, 9);
  w.i64(micros(span.duration));
  w.field(T_LIST, 10);
  const tagCount = w.openList(T_STRUCT);
  w.patchSize(tagCount, writeSpanTags(w, span));
  if (span.events.length > 0) {
    w.field(T_LIST, 11);
    w.listHeader(T_STRUCT, span.events.length);
    for (const event of span.events) {
      // Events become logs: an `event` field with the name, then the event's attributes.
      const fields: [string, TagValue][] = [['event', event.name]];
      for (const key of Object.keys(event.attributes ?? {})) fields.push([key, toTagValue(event.attributes?.[key])]);
      if (event.droppedAttributesCount) fields.push(['otel.event.dropped_attributes_count', event.droppedAttributesCount]);
      w.field(T_I64, 1);
      w.i64(micros(event.time));
      w.field(T_LIST, 2);
      w.listHeader(T_STRUCT, fields.length);
      for (const [key, value] of fields) writeTag(w, key, value);
      w.stop();
    }
  }
  w.stop();
}

/** The Process of a batch: the service and its resource attributes as tags. */
export interface JaegerProcess {
  serviceName: string;
  tags: [string, TagValue][];
}

/**
 * Builds one `jaeger.thrift` Batch span by span: the Process first, then each span as it is added,
 * so a span can be encoded the moment it ends and its object let go (it dies young instead of
 * waiting in a queue). `finish()` patches the span count in and returns the body.
 * @internal
 */
export class ThriftBatchBuilder {
  private readonly w: ThriftWriter;
  private countAt = 0;
  private count = 0;

  /** `initialBytes` sizes the buffer so that a typical batch never has to grow and copy. */
  constructor(
    private readonly process: JaegerProcess,
    initialBytes = 4096,
  ) {
    this.w = new ThriftWriter(Math.max(256, initialBytes));
    this.begin();
  }

  private begin(): void {
    const w = this.w;
    w.field(T_STRUCT, 1);
    w.field(T_STRING, 1);
    w.string(this.process.serviceName);
    w.field(T_LIST, 2);
    w.listHeader(T_STRUCT, this.process.tags.length);
    for (const [key, value] of this.process.tags) writeTag(w, key, value);
    w.stop();
    w.field(T_LIST, 2);
    this.countAt = this.w.openList(T_STRUCT);
  }

  /** Spans added since the last `finish()`. */
  get spans(): number {
    return this.count;
  }

  /** Size the body would have now, in bytes. */
  get bytes(): number {
    return this.w.length + 1;
  }

  /** Encodes one span into the batch. If encoding throws, the batch is left as it was and the error rethrown. */
  add(span: ReadableSpan): void {
    const at = this.w.length;
    try {
      writeSpan(this.w, span);
    } catch (err) {
      this.w.truncate(at);
      throw err;
    }
    this.count++;
  }

  /**
   * The body of the spans added so far, in a buffer of its own (exact size, so what is held is what
   * is counted); the builder then starts the next batch in the same buffer.
   */
  finish(): Buffer {
    this.w.patchSize(this.countAt, this.count);
    this.w.stop();
    const body = Buffer.from(this.w.result());
    this.w.truncate(0);
    this.count = 0;
    this.begin();
    return body;
  }
}

/** One `jaeger.thrift` Batch of `spans` from `process`, binary protocol. @internal */
export function encodeBatch(process: JaegerProcess, spans: readonly ReadableSpan[]): Buffer {
  // Sized for a typical Kafka span (about 800 bytes) so a batch rarely has to grow and copy.
  const builder = new ThriftBatchBuilder(process, Math.max(4096, spans.length * 1024));
  for (const span of spans) builder.add(span);
  return builder.finish();
}
