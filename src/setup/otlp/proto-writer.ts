/**
 * A growable buffer with the protobuf wire-format writes an OTLP request needs. Nested messages are
 * written in place: {@link ProtoWriter.openMessage} reserves room for the length prefix and
 * {@link ProtoWriter.closeMessage} writes it, moving the message by a byte or two in the rare case
 * the reserve was not the prefix's size, so no message is encoded twice to learn its length.
 * @internal
 */

import { grown, HEX_VALUE } from '../encode-bytes';

/** Wire types. */
export const VARINT = 0;
export const FIXED64 = 1;
export const LEN = 2;
export const FIXED32 = 5;

const TWO_32 = 4294967296;
const TWO_16 = 65536;

/** Bytes of `value` (a non-negative integer below 2^32) as a varint. */
export function varintSize(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  if (value < 0x10000000) return 4;
  return 5;
}

/** @internal */
export class ProtoWriter {
  buf: Buffer;
  pos = 0;

  constructor(initial: number) {
    this.buf = Buffer.allocUnsafe(Math.max(64, initial));
  }

  room(n: number): void {
    if (this.pos + n > this.buf.length) this.buf = grown(this.buf, this.pos, n);
  }

  /** A field's key: its number and wire type (every field number here is below 16 or 2^11). */
  tag(field: number, wireType: number): void {
    this.uint32((field << 3) | wireType);
  }

  /** A varint of a non-negative integer below 2^32. */
  uint32(value: number): void {
    this.room(5);
    const buf = this.buf;
    let v = value >>> 0;
    while (v > 0x7f) {
      buf[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[this.pos++] = v;
  }

  /**
   * An int64 varint of an integer within [-2^63, 2^63): negative values in two's complement (ten
   * bytes), as protobuf writes an int64.
   */
  int64(value: number): void {
    if (value >= 0 && value < TWO_32) return this.uint32(value);
    let high: number;
    let low: number;
    if (value >= 0) {
      high = Math.floor(value / TWO_32) >>> 0;
      low = (value - Math.floor(value / TWO_32) * TWO_32) >>> 0;
    } else {
      const abs = -value;
      let h = Math.floor(abs / TWO_32) >>> 0;
      let l = (abs - Math.floor(abs / TWO_32) * TWO_32) >>> 0;
      // Two's complement of the 64-bit magnitude.
      l = ~l >>> 0;
      h = ~h >>> 0;
      l = (l + 1) >>> 0;
      if (l === 0) h = (h + 1) >>> 0;
      high = h;
      low = l;
    }
    this.room(10);
    const buf = this.buf;
    while (high > 0 || low > 0x7f) {
      buf[this.pos++] = (low & 0x7f) | 0x80;
      low = ((low >>> 7) | (high << 25)) >>> 0;
      high >>>= 7;
    }
    buf[this.pos++] = low;
  }

  fixed32(value: number): void {
    this.room(4);
    this.buf.writeUInt32LE(value >>> 0, this.pos);
    this.pos += 4;
  }

  double(value: number): void {
    this.room(8);
    this.buf.writeDoubleLE(value, this.pos);
    this.pos += 8;
  }

  /**
   * Nanoseconds since the epoch of an HrTime (`[seconds, nanoseconds]`) as a fixed64, exactly:
   * seconds × 10^9 passes 2^53 for any date after 1970's first quarter, so the product is built in
   * 16-bit pieces that stay exact doubles.
   */
  hrTime(seconds: number, nanos: number): void {
    const sLow = seconds % TWO_16;
    const sHigh = (seconds - sLow) / TWO_16;
    const a = sLow * 1e9 + nanos; // < 2^47
    const b = sHigh * 1e9; // exact while seconds < 2^53 / 1e9 × 2^16
    const bLow = b % TWO_16;
    const bHigh = (b - bLow) / TWO_16;
    // total = bHigh × 2^32 + bLow × 2^16 + a
    const x = bLow * TWO_16 + a;
    const carry = Math.floor(x / TWO_32);
    this.room(8);
    this.buf.writeUInt32LE((x - carry * TWO_32) >>> 0, this.pos);
    this.buf.writeUInt32LE((bHigh + carry) >>> 0, this.pos + 4);
    this.pos += 8;
  }

  /** A length-delimited string, UTF-8. */
  string(value: string): void {
    const n = value.length;
    if (n < 128) {
      // Keys, names and most values are short ASCII: a byte loop beats a native call per string.
      this.room(1 + n);
      const start = this.pos + 1;
      const buf = this.buf;
      let i = 0;
      for (; i < n; i++) {
        const c = value.charCodeAt(i);
        if (c >= 0x80) break;
        buf[start + i] = c;
      }
      if (i === n) {
        buf[this.pos] = n;
        this.pos += 1 + n;
        return;
      }
    }
    const length = Buffer.byteLength(value, 'utf8');
    this.uint32(length);
    this.room(length);
    this.buf.write(value, this.pos, length, 'utf8');
    this.pos += length;
  }

  /** Length-delimited bytes. */
  bytes(value: Uint8Array): void {
    this.uint32(value.length);
    this.raw(value);
  }

  /**
   * A trace or span id given in hex as length-delimited bytes (what `hexToBinary` gives the
   * reference exporter): a table lookup per digit, no intermediate buffer.
   */
  hexId(hex: string): void {
    const n = hex.length >>> 1;
    this.uint32(n);
    this.room(n);
    const buf = this.buf;
    const at = this.pos;
    for (let i = 0; i < n; i++) {
      const hi = HEX_VALUE[hex.charCodeAt(2 * i)] ?? -1;
      const lo = HEX_VALUE[hex.charCodeAt(2 * i + 1)] ?? -1;
      buf[at + i] = hi < 0 || lo < 0 ? 0 : (hi << 4) | lo;
    }
    this.pos += n;
  }

  /** Bytes written as they are (a cached encoding). */
  raw(bytes: Uint8Array): void {
    this.room(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /**
   * Starts a nested message whose length prefix is written by {@link closeMessage}: `reserve` bytes
   * are set aside for it (1 for messages usually under 128 bytes, 2 for spans). Returns the mark.
   */
  openMessage(reserve = 1): number {
    this.room(reserve);
    const at = this.pos;
    this.pos += reserve;
    return at * 8 + reserve;
  }

  /** Ends the nested message of `mark`, writing its length; moves it when the prefix needs another size. */
  closeMessage(mark: number): void {
    const reserve = mark & 7;
    const at = (mark - reserve) / 8;
    const start = at + reserve;
    const length = this.pos - start;
    const size = varintSize(length);
    if (size !== reserve) {
      this.room(size - reserve);
      this.buf.copyWithin(at + size, start, this.pos);
      this.pos += size - reserve;
    }
    let v = length;
    let p = at;
    const buf = this.buf;
    while (v > 0x7f) {
      buf[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[p] = v;
  }

  /** Bytes written so far. */
  get length(): number {
    return this.pos;
  }

  /** Forgets what was written after `length` was `at`. */
  truncate(at: number): void {
    this.pos = at;
  }

  /** A copy of what was written, in a buffer of its own. */
  copy(): Uint8Array {
    return Uint8Array.prototype.slice.call(this.buf, 0, this.pos);
  }
}
