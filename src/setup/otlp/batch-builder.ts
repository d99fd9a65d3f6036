import type { Attributes } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { BatchBuilder } from '../encoding-collector';
import { writeAttributes } from './attributes';
import { LEN, ProtoWriter, VARINT, varintSize } from './proto-writer';
import { writeSpanBody } from './span-encoder';

/**
 * Builds one OTLP `ExportTraceServiceRequest` (trace_service.proto) span by span, the body
 * OTLP/HTTP takes with `Content-Type: application/x-protobuf`: one `ResourceSpans` for the
 * resource, one `ScopeSpans` per instrumentation scope.
 *
 * Protobuf prefixes every nested message with its length, and a `ScopeSpans` cannot be closed while
 * spans of its scope may still come. So each scope keeps its own chunk of framed spans (field 2,
 * length, span), each span written straight into it as it ends; `finish()` writes the frames around
 * the chunks, whose lengths are then known, and copies each chunk once into the exact-size body.
 * @internal
 */

/** A resource's encoded `ResourceSpans` fields: the `resource` field before the scopes, `schema_url` after. @internal */
export interface EncodedResource {
  head: Uint8Array;
  tail: Uint8Array;
}

/** The `resource` (field 1) and `schema_url` (field 3) of a `ResourceSpans`. @internal */
export function encodeResource(resource: Resource): EncodedResource {
  const head = new ProtoWriter(256);
  head.tag(1, LEN);
  const m = head.openMessage(2);
  writeAttributes(head, 1, resource.attributes);
  // dropped_attributes_count: a resource drops none.
  head.tag(2, VARINT);
  head.uint32(0);
  head.closeMessage(m);
  const tail = new ProtoWriter(64);
  if (resource.schemaUrl) {
    tail.tag(3, LEN);
    tail.string(resource.schemaUrl);
  }
  return { head: head.copy(), tail: tail.copy() };
}

/** Scope attributes, which newer API versions allow on a tracer. */
type ScopeWithAttributes = InstrumentationScope & { attributes?: Attributes; droppedAttributesCount?: number };

/** One scope's spans in the body being built. */
interface ScopeChunk {
  /** `scope` (field 1) of the ScopeSpans. */
  head: Uint8Array;
  /** `schema_url` (field 3) of the ScopeSpans, or nothing. */
  tail: Uint8Array;
  spans: ProtoWriter;
}

function scopeChunk(scope: ScopeWithAttributes, initialBytes: number): ScopeChunk {
  const head = new ProtoWriter(64);
  head.tag(1, LEN);
  const m = head.openMessage();
  head.tag(1, LEN);
  head.string(scope.name);
  if (scope.version) {
    head.tag(2, LEN);
    head.string(scope.version);
  }
  if (scope.attributes && Object.keys(scope.attributes).length > 0) {
    writeAttributes(head, 3, scope.attributes);
    if (scope.droppedAttributesCount) {
      head.tag(4, VARINT);
      head.uint32(scope.droppedAttributesCount);
    }
  }
  head.closeMessage(m);
  const tail = new ProtoWriter(64);
  if (scope.schemaUrl) {
    tail.tag(3, LEN);
    tail.string(scope.schemaUrl);
  }
  return { head: head.copy(), tail: tail.copy(), spans: new ProtoWriter(initialBytes) };
}

function scopeKey(scope: InstrumentationScope): string {
  return `${scope.name}@${scope.version ?? ''}:${scope.schemaUrl ?? ''}`;
}

/** @internal */
export class OtlpBatchBuilder implements BatchBuilder {
  /** Chunks by scope object (tracers keep theirs), and by name, version and schema for other objects of the same scope. */
  private readonly byObject = new Map<InstrumentationScope, ScopeChunk>();
  private readonly byKey = new Map<string, ScopeChunk>();
  /** Scopes in the order their first span came, as the reference exporter orders them. */
  private order: ScopeChunk[] = [];
  private count = 0;

  /** `initialBytes` sizes the first scope's buffer so that a typical batch never has to grow and copy. */
  constructor(
    private readonly resource: EncodedResource,
    private readonly initialBytes = 4096,
  ) {}

  get spans(): number {
    return this.count;
  }

  get bytes(): number {
    let inner = this.resource.head.length + this.resource.tail.length;
    for (const chunk of this.order) {
      const n = chunk.head.length + chunk.spans.length + chunk.tail.length;
      inner += 1 + varintSize(n) + n;
    }
    return 1 + varintSize(inner) + inner;
  }

  private chunk(scope: InstrumentationScope): ScopeChunk {
    let chunk = this.byObject.get(scope);
    if (!chunk) {
      const key = scopeKey(scope);
      chunk = this.byKey.get(key);
      if (!chunk) {
        // The first scope gets the buffer sized for a whole batch; others start small and grow.
        chunk = scopeChunk(scope, this.byKey.size === 0 ? this.initialBytes : 4096);
        this.byKey.set(key, chunk);
      }
      this.byObject.set(scope, chunk);
    }
    if (chunk.spans.length === 0 && !this.order.includes(chunk)) this.order.push(chunk);
    return chunk;
  }

  add(span: ReadableSpan): void {
    const chunk = this.chunk(span.instrumentationScope);
    const w = chunk.spans;
    const at = w.length;
    try {
      w.tag(2, LEN);
      // A Kafka span is 128 bytes to 16 KiB: two bytes of length, so it is rarely moved.
      const m = w.openMessage(2);
      writeSpanBody(w, span);
      w.closeMessage(m);
    } catch (err) {
      w.truncate(at);
      if (at === 0) this.order = this.order.filter((c) => c !== chunk);
      throw err;
    }
    this.count++;
  }

  finish(): Buffer {
    const body = Buffer.allocUnsafe(this.bytes);
    const { head, tail } = this.resource;
    let inner = head.length + tail.length;
    for (const chunk of this.order) {
      const n = chunk.head.length + chunk.spans.length + chunk.tail.length;
      inner += 1 + varintSize(n) + n;
    }
    let pos = 0;
    const varint = (value: number): void => {
      let v = value;
      while (v > 0x7f) {
        body[pos++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      body[pos++] = v;
    };
    const copy = (bytes: Uint8Array, length = bytes.length): void => {
      body.set(length === bytes.length ? bytes : bytes.subarray(0, length), pos);
      pos += length;
    };
    body[pos++] = (1 << 3) | LEN; // ExportTraceServiceRequest.resource_spans
    varint(inner);
    copy(head);
    for (const chunk of this.order) {
      body[pos++] = (2 << 3) | LEN; // ResourceSpans.scope_spans
      varint(chunk.head.length + chunk.spans.length + chunk.tail.length);
      copy(chunk.head);
      copy(chunk.spans.buf, chunk.spans.length);
      copy(chunk.tail);
      chunk.spans.truncate(0);
    }
    copy(tail);
    // Scopes that had no span in this body are forgotten, so scopes made up per span cannot pile up.
    if (this.byKey.size > this.order.length) {
      const kept = new Set(this.order);
      for (const [key, chunk] of this.byKey) if (!kept.has(chunk)) this.byKey.delete(key);
      for (const [scope, chunk] of this.byObject) if (!kept.has(chunk)) this.byObject.delete(scope);
    }
    this.order = [];
    this.count = 0;
    return body;
  }
}
