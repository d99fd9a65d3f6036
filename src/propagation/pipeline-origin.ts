import { createContextKey, trace, type Context, type Span, type SpanContext, type TraceState } from '@opentelemetry/api';
import { MAX_HEADER_LENGTH, MAX_MEMBERS, W3cTraceState, asW3cTraceState } from './trace-state';
import { reportSwallowed } from '../diag/report-once';
import { withSpan, withSpanAndValue } from './overlay-context';

/**
 * Where a pipeline started: the time of its first produce, the topic it entered through, and how many
 * Kafka hops it has made. Carried from hop to hop in a vendor entry of W3C `tracestate`, which other
 * clients forward untouched (baggage is the application's, not ours).
 * @internal
 */
export interface PipelineOrigin {
  /** Milliseconds since the epoch, on the clock of the host that made the first produce. */
  originMs: number;
  /** 1 for the entry topic, 2 for the topic a consumer of it produced to, and so on. */
  hop: number;
  /** The entry point: the topic the pipeline's first message was produced to. */
  entry: string;
}

/**
 * This package's tracestate key. W3C keys are `[a-z][a-z0-9_\-*\/]{0,255}`; vendors are asked to keep
 * entries short because the whole header is capped at 512 characters and 32 entries.
 * @internal
 */
export const TRACESTATE_KEY = 'kjt';
/** Topic names are `[a-zA-Z0-9._-]`, all valid in a tracestate value; long ones are cut so the entry stays small. */
const MAX_ENTRY_LENGTH = 64;
const MAX_HOP = 999;
const TOPIC = /^[A-Za-z0-9._-]+$/;
// value: origin ms in base 36, hop, entry topic. No ',' or '=' may appear (tracestate grammar).
const VALUE = /^([0-9a-z]{1,11}):([0-9]{1,3}):([A-Za-z0-9._-]{1,64})$/;

const OWN_PREFIX = `${TRACESTATE_KEY}=`;

/**
 * A tracestate holding our entry alone: the case of nearly every message, built without the API's
 * general implementation (two Maps per copy). Anything that changes it gets the general one.
 */
class OnlyOurEntry implements TraceState {
  private readonly serialized: string;
  constructor(private readonly value: string) {
    this.serialized = OWN_PREFIX + value;
  }
  get(key: string): string | undefined {
    return key === TRACESTATE_KEY ? this.value : undefined;
  }
  set(key: string, value: string): TraceState {
    return new W3cTraceState([[TRACESTATE_KEY, this.value]]).set(key, value);
  }
  unset(key: string): TraceState {
    return key === TRACESTATE_KEY ? new W3cTraceState() : this;
  }
  serialize(): string {
    return this.serialized;
  }
}

/** Context key under which the consumer middleware hands the trusted origin to the handler's produces. */
const ORIGIN_KEY = createContextKey('kafkajs-tracing pipeline origin');

/** Serialises an origin as the tracestate value. @internal */
export function formatOrigin(origin: PipelineOrigin): string {
  return `${Math.max(0, Math.trunc(origin.originMs)).toString(36)}:${Math.min(origin.hop, MAX_HOP)}:${origin.entry.slice(0, MAX_ENTRY_LENGTH)}`;
}

/** Parses a tracestate value: the origin, `undefined` when absent, `'malformed'` when present but unreadable. @internal */
export function parseOrigin(value: string | undefined): PipelineOrigin | 'malformed' | undefined {
  if (value === undefined) return undefined;
  const m = VALUE.exec(value);
  if (!m) return 'malformed';
  const originMs = parseInt(m[1] as string, 36);
  const hop = Number(m[2]);
  if (!Number.isSafeInteger(originMs) || hop < 1) return 'malformed';
  return { originMs, hop, entry: m[3] as string };
}

/** The origin carried by an upstream span context (read from a message's `tracestate`). @internal */
export function originOfSpanContext(sc: SpanContext | undefined): PipelineOrigin | 'malformed' | undefined {
  return parseOrigin(sc?.traceState?.get(TRACESTATE_KEY));
}

/** `ctx` with the origin a handler's produces should continue. @internal */
export function withOrigin(ctx: Context, origin: PipelineOrigin): Context {
  return ctx.setValue(ORIGIN_KEY, origin);
}

/**
 * The origin of a consumed message not read yet, for a message whose span does not record while no
 * metric needs the origin: only a produce of its handler does, and most handlers of sampled-out
 * messages make none, so the tracestate entry or record timestamp is read then, once.
 * @internal
 */
export class DeferredOrigin {
  private read: PipelineOrigin | undefined | null = null;

  constructor(
    private readonly topic: string,
    private readonly timestamp: string | undefined,
    private readonly upstream: SpanContext,
  ) {}

  /** The origin the handler's produces continue: the carried one, else the record's as a first hop; undefined when malformed. */
  get origin(): PipelineOrigin | undefined {
    if (this.read === null) {
      const origin = upstreamOrigin(this.upstream, this.topic, this.timestamp);
      this.read = origin === 'malformed' ? undefined : origin;
    }
    return this.read;
  }
}

/**
 * The origin a consumed message continues: the one its upstream carries in `tracestate`, else its own
 * record's as a first hop (`hopOneOrigin`); `'malformed'` when the carried entry cannot be read.
 * @internal
 */
export function upstreamOrigin(upstream: SpanContext, topic: string, timestamp: string | undefined): PipelineOrigin | 'malformed' | undefined {
  return originOfSpanContext(upstream) ?? hopOneOrigin(topic, timestamp);
}

/** `parent` with `span` active and, when given, the origin the handler's produces continue. @internal */
export function handlerContext(parent: Context, span: Span, origin: PipelineOrigin | DeferredOrigin | undefined): Context {
  return origin ? withSpanAndValue(parent, span, ORIGIN_KEY, origin) : withSpan(parent, span);
}

/**
 * The origin the current work belongs to: the one the consumer middleware put in the context, else
 * one in the active span's tracestate (a consumer traced by other instrumentation), else none.
 */
function currentOrigin(ctx: Context): PipelineOrigin | undefined {
  const own = ctx.getValue(ORIGIN_KEY) as PipelineOrigin | DeferredOrigin | undefined;
  if (own instanceof DeferredOrigin) return own.origin;
  if (own) return own;
  const carried = originOfSpanContext(trace.getSpanContext(ctx));
  return typeof carried === 'object' ? carried : undefined;
}

/** Whether a tracestate holds nothing, or our entry alone (then ours replaces it whole). */
function isEmptyOrOnlyOurs(state: TraceState): boolean {
  if (state instanceof OnlyOurEntry) return true;
  const current = state.serialize();
  return current === '' || (current.startsWith(OWN_PREFIX) && !current.includes(','));
}

/**
 * Sets this package's entry at the front of `state` (W3C: an updated entry moves to the left). When
 * the list would pass 32 members or 512 characters, entries are dropped the way W3C says to truncate:
 * those over 128 characters first, then right-most ones. Other entries keep their order.
 * @internal
 */
export function setOriginEntry(state: TraceState | undefined, value: string): TraceState {
  // The common cases, kept cheap (every traced produce passes here): no tracestate, or only ours.
  if (!state || isEmptyOrOnlyOurs(state)) return new OnlyOurEntry(value);
  return asW3cTraceState(state).set(TRACESTATE_KEY, value).shortened(MAX_MEMBERS, MAX_HEADER_LENGTH);
}

/**
 * The last origin value formatted, and the tracestate holding only it: messages produced within the
 * same millisecond (or continuing the same consumed origin) carry the same value, so it is formatted
 * once. Both are immutable.
 */
interface FormattedOrigin extends PipelineOrigin {
  value: string;
  only: OnlyOurEntry;
}
let lastValue: FormattedOrigin | undefined;

function originValue(originMs: number, hop: number, entry: string): FormattedOrigin {
  const last = lastValue;
  if (last && last.originMs === originMs && last.hop === hop && last.entry === entry) return last;
  const value = formatOrigin({ originMs, hop, entry });
  return (lastValue = { originMs, hop, entry, value, only: new OnlyOurEntry(value) });
}

/** Topics checked against {@link TOPIC} lately; past the bound the cache starts over. */
const validTopics = new Set<string>();
const MAX_VALID_TOPICS = 1024;

function isValidTopic(topic: string): boolean {
  if (validTopics.has(topic)) return true;
  if (!TOPIC.test(topic)) return false;
  if (validTopics.size >= MAX_VALID_TOPICS) validTopics.clear();
  validTopics.add(topic);
  return true;
}

/**
 * The context to inject into a message produced under `parent`: the producer span's context with
 * the pipeline origin in its tracestate, continuing the origin of the work in progress one hop
 * further. A message that starts a pipeline carries no entry: its hop-1 origin is the record's own
 * timestamp and topic, which Kafka carries anyway, and the consumer reads it from there (see
 * `hopOneOrigin`). That spares most messages a whole `tracestate` header: through kafkajs each
 * header costs an encoder of its own on produce and a buffer on fetch, and parsing it cost the
 * consumer more than any other step of a sampled-out message (issue 22). The span itself is not
 * changed: the propagator reads the span context from this injection-only context, so any
 * propagator that writes `tracestate` carries the origin, and any tracer provider works. A
 * sampled-out span carries the origin too: the pipeline latency metric does not depend on sampling.
 * @internal
 */
export function injectionContext(parent: Context, span: Span): Context {
  try {
    const from = currentOrigin(parent);
    // A first hop: nothing to write, and an entry the span inherited (a malformed one) must not travel on.
    if (!from) return injectionContextWithoutOrigin(parent, span);
    const sc = span.spanContext();
    if (!trace.isSpanContextValid(sc)) return withSpan(parent, span);
    const { value, only } = originValue(from.originMs, from.hop + 1, from.entry);
    const state = sc.traceState;
    // Nearly every message: no tracestate, or ours alone (setOriginEntry's own fast path, without a new object).
    const traceState = !state || isEmptyOrOnlyOurs(state) ? only : setOriginEntry(state, value);
    return trace.setSpanContext(parent, { ...sc, traceState });
  } catch (err) {
    reportSwallowed('pipeline-origin', err);
    return withSpan(parent, span); // the origin is extra: never let it cost the message its trace context
  }
}

/**
 * The origin of a message that carries none: a pipeline that starts at this record, at its own
 * timestamp (the producing client's clock, as the `kjt` entry's was), entered through its topic.
 * `undefined` when the timestamp is not a time or the topic is not a Kafka topic name.
 * @internal
 */
export function hopOneOrigin(topic: string, timestamp: string | undefined): PipelineOrigin | undefined {
  const originMs = Number(timestamp);
  if (!Number.isSafeInteger(originMs) || originMs <= 0 || !isValidTopic(topic)) return undefined;
  return { originMs, hop: 1, entry: topic.slice(0, MAX_ENTRY_LENGTH) };
}

/**
 * The context to inject when the pipeline origin is turned off: the span's own, without our entry.
 * A child span inherits its parent's tracestate, so an upstream entry would otherwise travel on with
 * its hop unchanged, and downstream latencies would be measured from a hop this one hid.
 * @internal
 */
export function injectionContextWithoutOrigin(parent: Context, span: Span): Context {
  const sc = span.spanContext();
  const state = sc.traceState;
  if (!state || state.get(TRACESTATE_KEY) === undefined) return withSpan(parent, span);
  const rest = state.unset(TRACESTATE_KEY);
  // An empty list is no tracestate at all: propagators write the header whenever one is set.
  return trace.setSpanContext(parent, { ...sc, traceState: rest.serialize() === '' ? undefined : rest });
}
