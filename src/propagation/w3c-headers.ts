import { ROOT_CONTEXT, trace, type Context } from '@opentelemetry/api';
import type { IHeaders } from 'kafkajs';
import { readValue } from './header-carrier';
import { addTracestate, readBaggage, traceparentOf } from './w3c-propagator';
import { withBaggage, withSpanAndBaggage } from './overlay-context';
import type { CheckedSpanContext } from './traceparent';
import { reportSwallowed } from '../diag/report-once';

/** What a message's W3C headers hold: the context to continue and its span context, when valid. @internal */
export interface W3cHeaders {
  context: Context;
  spanContext: CheckedSpanContext | undefined;
}

const NONE: W3cHeaders = { context: ROOT_CONTEXT, spanContext: undefined };

/**
 * One header's value(s) as `headerGetter.get` reads them: the exact (lowercase) key's when the record
 * has it and it reads as something, else the first key matching it ignoring case (`other`).
 */
function read(headers: IHeaders, key: string, exact: boolean, other: string | undefined): string | string[] | undefined {
  try {
    if (exact) {
      const value = readValue(headers[key]);
      if (value !== undefined) return value;
    }
    return other === undefined ? undefined : readValue(headers[other]);
  } catch (err) {
    reportSwallowed('header-read', err); // a hostile record (getters that throw) reads as "no header"
    return undefined;
  }
}

/**
 * `w3cPropagator.extract(ROOT_CONTEXT, headers, headerGetter)` in one pass over the keys, for the
 * consumer of every message when that propagator is the one in effect: the same headers found the
 * same way (see test/unit/propagation/w3c-headers.test.ts), without a search of every key for each
 * absent header, and a context that holds its one or two values without copying a map.
 * @internal
 */
export function extractW3cHeaders(headers: IHeaders): W3cHeaders {
  let keys: string[];
  try {
    keys = Object.keys(headers);
  } catch (err) {
    reportSwallowed('header-read', err);
    return NONE;
  }
  // Where each header is: its exact key present, else the first key equal to it ignoring case.
  let tp = false;
  let tpOther: string | undefined;
  let ts = false;
  let tsOther: string | undefined;
  let bg = false;
  let bgOther: string | undefined;
  for (const k of keys) {
    // Lowercasing never changes the length of these ASCII names' matches, so the length picks the candidate.
    if (k.length === 11) {
      if (k === 'traceparent') tp = true;
      else if (tpOther === undefined && k.toLowerCase() === 'traceparent') tpOther = k;
    } else if (k.length === 10) {
      if (k === 'tracestate') ts = true;
      else if (tsOther === undefined && k.toLowerCase() === 'tracestate') tsOther = k;
    } else if (k.length === 7) {
      if (k === 'baggage') bg = true;
      else if (bgOther === undefined && k.toLowerCase() === 'baggage') bgOther = k;
    }
  }
  if (!tp && tpOther === undefined && !bg && bgOther === undefined) return NONE;
  const sc = traceparentOf(read(headers, 'traceparent', tp, tpOther));
  if (sc && (ts || tsOther !== undefined)) addTracestate(sc, read(headers, 'tracestate', ts, tsOther));
  const bag = bg || bgOther !== undefined ? readBaggage(read(headers, 'baggage', bg, bgOther)) : undefined;
  if (sc) return { context: withSpanAndBaggage(ROOT_CONTEXT, trace.wrapSpanContext(sc), bag), spanContext: sc };
  return bag ? { context: withBaggage(ROOT_CONTEXT, bag), spanContext: undefined } : NONE;
}
