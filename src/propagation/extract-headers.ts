import { ROOT_CONTEXT, trace, type Context, type SpanContext } from '@opentelemetry/api';
import type { IHeaders } from 'kafkajs';
import type { Propagator } from './propagator';
import { headerGetter } from './header-carrier';
import { extractLegacy } from './legacy-formats';
import { reportSwallowed } from '../diag/report-once';
import { readsW3cDirectly } from '../global-telemetry';
import { extractW3cHeaders } from './w3c-headers';
import { isValidSpanContext } from './traceparent';

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
    let context: Context;
    if (readsW3cDirectly(propagator)) {
      // This package's W3C propagator in effect (startTracing's default): the headers are read in one pass.
      const direct = extractW3cHeaders(headers);
      if (direct.spanContext || legacy.length === 0) return direct;
      context = direct.context;
    } else {
      context = propagator.extract(ROOT_CONTEXT, headers, headerGetter);
      const sc = trace.getSpanContext(context);
      // Validated once: the check reads every character of both ids.
      if (sc && isValidSpanContext(sc)) return { context, spanContext: sc };
      if (legacy.length === 0) return { context, spanContext: undefined };
    }
    // On top of what W3C extraction found: its baggage stays whichever format gives the span context.
    const legacyContext = extractLegacy(legacy, headers, headerGetter, context);
    const legacySc = trace.getSpanContext(legacyContext);
    // extractLegacy returns either a context with a valid span context or the context it was given.
    return { context: legacyContext, spanContext: legacySc && trace.isSpanContextValid(legacySc) ? legacySc : undefined };
  } catch (err) {
    reportSwallowed('extract', err);
    return NO_UPSTREAM;
  }
}
