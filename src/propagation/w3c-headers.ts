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
 * Where one header is found: its exact (lowercase) key when the record has it, else the first key
 * that matches it ignoring case, as `headerGetter` looks them up.
 */
class Lookup {
  exact = false;
  other: string | undefined = undefined;
  constructor(readonly key: string) {}

  consider(k: string): void {
    if (k === this.key) this.exact = true;
    else if (this.other === undefined && k.toLowerCase() === this.key) this.other = k;
  }

  /** The header's value(s) as `headerGetter.get` reads them: an exact key that reads as nothing gives way to the other. */
  read(headers: IHeaders): string | string[] | undefined {
    try {
      if (this.exact) {
        const value = readValue(headers[this.key]);
        if (value !== undefined) return value;
      }
      return this.other === undefined ? undefined : readValue(headers[this.other]);
    } catch (err) {
      reportSwallowed('header-read', err); // a hostile record (getters that throw) reads as "no header"
      return undefined;
    }
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
  const traceparent = new Lookup('traceparent');
  const tracestate = new Lookup('tracestate');
  const baggage = new Lookup('baggage');
  for (const k of keys) {
    // Lowercasing never changes the length of these ASCII names' matches, so the length picks the candidate.
    if (k.length === 11) traceparent.consider(k);
    else if (k.length === 10) tracestate.consider(k);
    else if (k.length === 7) baggage.consider(k);
  }
  if (!traceparent.exact && traceparent.other === undefined && !baggage.exact && baggage.other === undefined) return NONE;
  const sc = traceparentOf(traceparent.read(headers));
  if (sc) addTracestate(sc, tracestate.read(headers));
  const bag = readBaggage(baggage.read(headers));
  if (sc) return { context: withSpanAndBaggage(ROOT_CONTEXT, trace.wrapSpanContext(sc), bag), spanContext: sc };
  return bag ? { context: withBaggage(ROOT_CONTEXT, bag), spanContext: undefined } : NONE;
}
