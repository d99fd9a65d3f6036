import type { TraceState } from '@opentelemetry/api';

// W3C tracestate as the current Recommendation and its test suite read it, kept in order. The API's
// own implementation (createTraceState) drops invalid members one by one, keeps the last of duplicate
// keys and reverses the list when it truncates; here a list with any invalid member, or more than 32,
// is discarded whole, the first of duplicate keys is kept, and order is never changed.

/** Keys: lowercase letter or digit, then up to 255 of `a-z 0-9 _ - * / @` (tenant@system keys included). */
const KEY = /^[0-9a-z][_0-9a-z\-*/@]{0,255}$/;
/** Values: 1 to 256 printable ASCII characters but `,` and `=`; no trailing space. */
const VALUE = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;
/** Members are separated by a comma with optional spaces and tabs around it. */
const SEPARATOR = /[ \t]*,[ \t]*/;
const OWS_ENDS = /^[ \t]+|[ \t]+$/g;

/** A tracestate holds at most this many list members. @internal */
export const MAX_MEMBERS = 32;
/** Propagators should keep a header within this many characters. @internal */
export const MAX_HEADER_LENGTH = 512;
/** Members longer than this are the first to go when a list must be shortened. */
const LONG_MEMBER = 128;

type Member = readonly [key: string, value: string];

/** Whether a key and value follow the tracestate grammar. @internal */
export function isValidMember(key: string, value: string): boolean {
  return KEY.test(key) && VALUE.test(value);
}

/** An immutable, ordered W3C tracestate. @internal */
export class W3cTraceState implements TraceState {
  constructor(private readonly members: readonly Member[] = []) {}

  get(key: string): string | undefined {
    for (const [k, v] of this.members) if (k === key) return v;
    return undefined;
  }

  /** `key` set to `value` and moved to the front (W3C: an updated entry goes left); an invalid pair changes nothing. */
  set(key: string, value: string): W3cTraceState {
    if (!isValidMember(key, value)) return this;
    const rest = this.members.filter(([k]) => k !== key);
    return new W3cTraceState([[key, value], ...rest]).shortened(MAX_MEMBERS, Number.POSITIVE_INFINITY);
  }

  unset(key: string): W3cTraceState {
    const rest = this.members.filter(([k]) => k !== key);
    return rest.length === this.members.length ? this : new W3cTraceState(rest);
  }

  serialize(): string {
    return this.members.map(([k, v]) => `${k}=${v}`).join(',');
  }

  /** How many list members it holds. */
  get size(): number {
    return this.members.length;
  }

  /**
   * The list cut to at most `maxMembers` members and `maxLength` serialised characters, the way W3C
   * says to truncate: members over 128 characters go first (right-most first), then right-most
   * members. The first member (the one this vendor just set) is kept. Order is unchanged.
   */
  shortened(maxMembers: number, maxLength: number): W3cTraceState {
    const kept: Member[] = [...this.members];
    const length = (): number => kept.reduce((n, [k, v]) => n + k.length + 1 + v.length, 0) + Math.max(0, kept.length - 1);
    const fits = (): boolean => kept.length <= maxMembers && length() <= maxLength;
    if (fits()) return this;
    for (let i = kept.length - 1; i > 0 && !fits(); i--) {
      const [k, v] = kept[i] as Member;
      if (k.length + 1 + v.length > LONG_MEMBER) kept.splice(i, 1);
    }
    while (kept.length > 1 && !fits()) kept.pop();
    return new W3cTraceState(kept);
  }
}

/**
 * Parses the values of the `tracestate` headers of one message (several headers are one list, in
 * order). Undefined when there is nothing to continue: no member, any member that breaks the
 * grammar, or more than 32 members. Empty members (`a=1,,b=2`, an empty header) are skipped; of
 * duplicate keys the first is kept.
 * @internal
 */
export function parseTraceState(headers: readonly string[]): W3cTraceState | undefined {
  const members: Member[] = [];
  const seen = new Set<string>();
  for (const header of headers) {
    for (const raw of header.replace(OWS_ENDS, '').split(SEPARATOR)) {
      if (raw === '') continue;
      const equals = raw.indexOf('=');
      if (equals <= 0) return undefined;
      const key = raw.slice(0, equals);
      const value = raw.slice(equals + 1);
      if (!isValidMember(key, value)) return undefined;
      if (seen.has(key)) continue;
      seen.add(key);
      members.push([key, value]);
      if (members.length > MAX_MEMBERS) return undefined;
    }
  }
  return members.length === 0 ? undefined : new W3cTraceState(members);
}

/** `state` as a {@link W3cTraceState}: itself, or parsed from what it serialises to (another implementation's). @internal */
export function asW3cTraceState(state: TraceState | undefined): W3cTraceState {
  if (state instanceof W3cTraceState) return state;
  return (state && parseTraceState([state.serialize()])) || new W3cTraceState();
}
