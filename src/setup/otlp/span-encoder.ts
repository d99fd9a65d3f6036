import type { Link, SpanContext } from '@opentelemetry/api';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';
import { writeAttributes } from './attributes';
import { FIXED32, FIXED64, LEN, type ProtoWriter, VARINT } from './proto-writer';

/**
 * One `Span` message body (opentelemetry-proto trace.proto), fields in the order and with the
 * presence `@opentelemetry/otlp-transformer`'s protobuf serializer gives them, so that both write
 * the same bytes for the same span (test/unit/setup/otlp proves it field by field).
 * @internal
 */

/** OTLP span flags: the context's remote bit is known (trace.proto `SpanFlags`). */
const HAS_IS_REMOTE = 0x100;
const IS_REMOTE = 0x200;

/** The W3C trace flags in the low byte, and whether the (parent or linked) context was remote. */
function spanFlags(traceFlags: number, isRemote: boolean | undefined): number {
  return (traceFlags & 0xff) | HAS_IS_REMOTE | (isRemote ? IS_REMOTE : 0);
}

function writeEvent(w: ProtoWriter, event: TimedEvent): void {
  w.tag(1, FIXED64);
  w.hrTime(event.time[0], event.time[1]);
  w.tag(2, LEN);
  w.string(event.name);
  if (event.attributes) writeAttributes(w, 3, event.attributes);
  w.tag(4, VARINT);
  w.uint32(event.droppedAttributesCount || 0);
}

function writeLink(w: ProtoWriter, link: Link): void {
  const ctx: SpanContext = link.context;
  w.tag(1, LEN);
  w.hexId(ctx.traceId);
  w.tag(2, LEN);
  w.hexId(ctx.spanId);
  const traceState = ctx.traceState?.serialize();
  if (traceState) {
    w.tag(3, LEN);
    w.string(traceState);
  }
  if (link.attributes) writeAttributes(w, 4, link.attributes);
  w.tag(5, VARINT);
  w.uint32(link.droppedAttributesCount || 0);
  w.tag(6, FIXED32);
  w.fixed32(spanFlags(ctx.traceFlags, ctx.isRemote));
}

/** Writes the fields of `span` (not its own tag and length: the caller frames it). */
export function writeSpanBody(w: ProtoWriter, span: ReadableSpan): void {
  const ctx = span.spanContext();
  w.tag(1, LEN);
  w.hexId(ctx.traceId);
  w.tag(2, LEN);
  w.hexId(ctx.spanId);
  const traceState = ctx.traceState?.serialize();
  if (traceState) {
    w.tag(3, LEN);
    w.string(traceState);
  }
  const parent = span.parentSpanContext;
  if (parent?.spanId) {
    w.tag(4, LEN);
    w.hexId(parent.spanId);
  }
  w.tag(5, LEN);
  w.string(span.name);
  // OTLP numbers kinds from SPAN_KIND_UNSPECIFIED = 0: the API's kind + 1.
  const kind = span.kind == null ? 0 : span.kind + 1;
  if (kind !== 0) {
    w.tag(6, VARINT);
    w.uint32(kind);
  }
  w.tag(7, FIXED64);
  w.hrTime(span.startTime[0], span.startTime[1]);
  w.tag(8, FIXED64);
  w.hrTime(span.endTime[0], span.endTime[1]);
  writeAttributes(w, 9, span.attributes);
  w.tag(10, VARINT);
  w.uint32(span.droppedAttributesCount);
  for (const event of span.events) {
    w.tag(11, LEN);
    const m = w.openMessage();
    writeEvent(w, event);
    w.closeMessage(m);
  }
  w.tag(12, VARINT);
  w.uint32(span.droppedEventsCount);
  for (const link of span.links) {
    w.tag(13, LEN);
    const m = w.openMessage();
    writeLink(w, link);
    w.closeMessage(m);
  }
  w.tag(14, VARINT);
  w.uint32(span.droppedLinksCount);
  w.tag(15, LEN);
  const status = w.openMessage();
  if (span.status.message) {
    w.tag(2, LEN);
    w.string(span.status.message);
  }
  // The API's status codes are the proto's (UNSET 0, OK 1, ERROR 2).
  w.tag(3, VARINT);
  w.uint32(span.status.code);
  w.closeMessage(status);
  w.tag(16, FIXED32);
  w.fixed32(spanFlags(ctx.traceFlags, parent?.isRemote));
}
