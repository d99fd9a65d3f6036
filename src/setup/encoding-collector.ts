import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';

// The seam between the encoding span processor and a collector format (OTLP protobuf, Jaeger Thrift):
// its own module, so that formats and the processor depend on it and not on each other.

/** A request body being built span by span (Thrift's or OTLP's). @internal */
export interface BatchBuilder {
  /** Spans added since the last `finish()`. */
  readonly spans: number;
  /** Size the body would have now, in bytes. */
  readonly bytes: number;
  /** Encodes one span; on a throw the body is left as it was. */
  add(span: ReadableSpan): void;
  /** The body so far, in a buffer of its own; the builder starts the next one. */
  finish(): Buffer;
}

/** A collector endpoint spans are encoded for: how to build its bodies and how to post one. @internal */
export interface EncodingCollector {
  /** A body builder for spans of `resource`, its buffer sized for `initialBytes`. */
  builder(resource: Resource, initialBytes: number): BatchBuilder;
  /** Encoded bytes of a typical Kafka span, to size the buffer so it rarely grows. */
  readonly typicalSpanBytes: number;
  /** Posts one body; rejects with a `CollectorPostError` saying whether it may be sent again. */
  send(body: Buffer): Promise<void>;
  /** Spans the collector accepted the body of but said it rejected (OTLP's partial success). */
  rejectedSpans?(): number;
  shutdown(): Promise<void>;
}
