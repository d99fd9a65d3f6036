// What the two export encoders (OTLP protobuf, Jaeger Thrift) share below their formats: reading hex
// ids into bytes, and growing the buffer a request body is written into.

/** Value of each ASCII hex digit (either case), -1 for every other character code below 128. @internal */
export const HEX_VALUE = new Int8Array(128).fill(-1);
for (let d = 0; d < 16; d++) {
  HEX_VALUE[d.toString(16).charCodeAt(0)] = d;
  HEX_VALUE[d.toString(16).toUpperCase().charCodeAt(0)] = d;
}

/**
 * A buffer with room for `n` more bytes after the first `used`: a new one, at least twice as large,
 * holding `buf`'s first `used` bytes. Called only when `buf` is too small.
 * @internal
 */
export function grown(buf: Buffer, used: number, n: number): Buffer {
  let size = buf.length * 2;
  while (size < used + n) size *= 2;
  const next = Buffer.allocUnsafe(size);
  buf.copy(next, 0, 0, used);
  return next;
}
