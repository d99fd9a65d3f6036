import { ROOT_CONTEXT, trace, type Context, type SpanContext } from '@opentelemetry/api';
import type { IHeaders } from 'kafkajs';
import type { Propagator } from './propagator';
import { headerGetter } from './header-carrier';
import { extractLegacy } from './legacy-formats';
import { reportSwallowed } from '../diag/report-once';

/** What a message's headers say about its upstream: the context to continue and the span to link. @internal */
export interface Upstream {
  /** Context holding the producer's span context and baggage; ROOT_CONTEXT when there is none. */
  context: Context;
  /** The producer's span context, when the headers hold a valid one. */
  spanContext: SpanContext | undefined;
}

const NO_UPSTREAM: Upstream = { context: ROOT_CONTEXT, spanContext: undefined };

/**
 * Extracts the upstream context from message headers. Missing, malformed or hostile headers give
 * "no upstream" (the process span becomes a new root): never an exception.
 * @internal
 */
export function extractUpstream(propagator: Propagator, headers: IHeaders | undefined, legacy: Propagator[] = []): Upstream {
  if (!headers || typeof headers !== 'object') return NO_UPSTREAM;
  try {
    let context = propagator.extract(ROOT_CONTEXT, headers, headerGetter);
    let sc = trace.getSpanContext(context);
    if ((!sc || !trace.isSpanContextValid(sc)) && legacy.length > 0) {
      context = extractLegacy(legacy, headers, headerGetter);
      sc = trace.getSpanContext(context);
    }
    return { context, spanContext: sc && trace.isSpanContextValid(sc) ? sc : undefined };
  } catch (err) {
    reportSwallowed('extract', err);
    return NO_UPSTREAM;
  }
}
