/**
 * Reads `partial_success` from an `ExportTraceServiceResponse` (trace_service.proto): field 1, an
 * `ExportTracePartialSuccess` of `rejected_spans` (1, int64) and `error_message` (2, string). Other
 * fields are skipped; a body that is not valid protobuf reads as no partial success.
 * @internal
 */

/** What a collector said it rejected of a request it accepted. @internal */
export interface PartialSuccess {
  rejectedSpans: number;
  errorMessage: string;
}

class Reader {
  pos = 0;
  constructor(
    readonly buf: Uint8Array,
    readonly end = buf.length,
  ) {}

  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new Error('truncated varint');
      const b = this.buf[this.pos++] as number;
      // Up to 2^53 exactly; an int64 count of rejected spans never gets near it.
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 128;
    }
    throw new Error('varint too long');
  }

  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.pos += 8;
    else if (wireType === 2) this.pos += this.varint();
    else if (wireType === 5) this.pos += 4;
    else throw new Error(`wire type ${wireType}`);
    if (this.pos > this.end) throw new Error('truncated field');
  }
}

/** The partial success of a response body; undefined when it has none or is not protobuf. @internal */
export function readPartialSuccess(body: Uint8Array): PartialSuccess | undefined {
  try {
    const r = new Reader(body);
    let found: PartialSuccess | undefined;
    while (r.pos < r.end) {
      const key = r.varint();
      if (key >>> 3 !== 1 || (key & 7) !== 2) {
        r.skip(key & 7);
        continue;
      }
      const length = r.varint();
      const inner = new Reader(body, r.pos + length);
      if (inner.end > body.length) return undefined;
      inner.pos = r.pos;
      found = { rejectedSpans: 0, errorMessage: '' };
      while (inner.pos < inner.end) {
        const k = inner.varint();
        if (k === ((1 << 3) | 0)) {
          // int64: a negative count would be ten bytes of two's complement; none is meaningful.
          const n = inner.varint();
          found.rejectedSpans = n > Number.MAX_SAFE_INTEGER ? 0 : n;
        } else if (k === ((2 << 3) | 2)) {
          const n = inner.varint();
          if (inner.pos + n > inner.end) return undefined;
          found.errorMessage = Buffer.from(body.buffer, body.byteOffset + inner.pos, n).toString('utf8');
          inner.pos += n;
        } else inner.skip(k & 7);
      }
      r.pos = inner.end;
    }
    return found;
  } catch {
    return undefined;
  }
}
