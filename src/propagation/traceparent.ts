import { isSpanContextValid, type SpanContext, type TraceState } from '@opentelemetry/api';

// The W3C `traceparent` header read and written without regular expressions: one pass over the
// characters. A span context read here, or made by startTracing's tracer, is known valid (the W3C rules
// are stricter than the API's), so the checks every later step made again (extract, sampler, tracer,
// inject: each a regular expression over both ids) are skipped for it.

/**
 * A span context whose ids are known to be valid, lowercase hex and not all zero. Only objects of
 * this class are trusted without a check: a copy (`{ ...sc }`) is checked again.
 * @internal
 */
export class CheckedSpanContext implements SpanContext {
  // Set only when there is one, so the object has the fields a literal span context would.
  declare traceState?: TraceState;
  declare isRemote?: boolean;
  constructor(
    readonly traceId: string,
    readonly spanId: string,
    readonly traceFlags: number,
    traceState?: TraceState,
    isRemote?: boolean,
  ) {
    if (traceState !== undefined) this.traceState = traceState;
    if (isRemote) this.isRemote = true;
  }
}

/** `trace.isSpanContextValid`, free for a {@link CheckedSpanContext}. @internal */
export function isValidSpanContext(sc: SpanContext): boolean {
  return sc instanceof CheckedSpanContext || isSpanContextValid(sc);
}

/** Value of each lowercase hex digit's character code; -1 for every other code below 128. */
const HEX_VALUE = new Int8Array(128).fill(-1);
for (let c = 0; c < 10; c++) HEX_VALUE[48 + c] = c;
for (let c = 0; c < 6; c++) HEX_VALUE[97 + c] = 10 + c;

const DASH = 0x2d;
const SPACE = 0x20;
const TAB = 0x09;
/** version (2) - trace id (32) - span id (16) - flags (2). */
const LENGTH = 55;

/**
 * The value of the lowercase hex digits `s[from, to)`, OR-ed together when there are more than two
 * (only whether they are all zero matters then); -1 when any is not a lowercase hex digit.
 */
function hexRun(s: string, from: number, to: number): number {
  let acc = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? (HEX_VALUE[c] as number) : -1;
    if (v < 0) return -1;
    acc = to - from === 2 ? (acc << 4) | v : acc | v;
  }
  return acc;
}

/** A line terminator, which ends a regular expression's `.`: the rule future versions' extra fields were read with. */
function hasLineTerminator(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x0a || c === 0x0d || c === 0x2028 || c === 0x2029) return true;
  }
  return false;
}

/**
 * Parses a `traceparent` value at the strictness of the W3C test suite: optional spaces and tabs
 * around it, lowercase hex, version `ff` forbidden, version `00` exactly four fields, a later version
 * any further `-`-separated fields, all-zero ids invalid. Undefined when invalid.
 * @internal
 */
export function parseTraceparent(value: string): CheckedSpanContext | undefined {
  let start = 0;
  let end = value.length;
  while (start < end && (value.charCodeAt(start) === SPACE || value.charCodeAt(start) === TAB)) start++;
  while (end > start && (value.charCodeAt(end - 1) === SPACE || value.charCodeAt(end - 1) === TAB)) end--;
  const length = end - start;
  if (length < LENGTH) return undefined;
  const version = hexRun(value, start, start + 2);
  if (version < 0 || version === 0xff) return undefined;
  if (length > LENGTH) {
    // Version 00 has exactly four fields; later versions may append more after a dash.
    if (version === 0 || value.charCodeAt(start + LENGTH) !== DASH || hasLineTerminator(value, start + LENGTH, end)) return undefined;
  }
  if (value.charCodeAt(start + 2) !== DASH || value.charCodeAt(start + 35) !== DASH || value.charCodeAt(start + 52) !== DASH) return undefined;
  if (hexRun(value, start + 3, start + 35) <= 0 || hexRun(value, start + 36, start + 52) <= 0) return undefined; // invalid or all zero
  const flags = hexRun(value, start + 53, start + 55);
  if (flags < 0) return undefined;
  return new CheckedSpanContext(value.slice(start + 3, start + 35), value.slice(start + 36, start + 52), flags, undefined, true);
}

/** `00`…`ff`: the flags field for each value of the trace flags byte. */
const FLAGS = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** The `traceparent` value (version 00) of a valid span context. @internal */
export function formatTraceparent(sc: SpanContext): string {
  return `00-${sc.traceId}-${sc.spanId}-${FLAGS[(sc.traceFlags || 0) & 0xff] as string}`;
}
