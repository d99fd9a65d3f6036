import {
  diag,
  SpanStatusCode,
  type Attributes,
  type AttributeValue,
  type Exception,
  type HrTime,
  type Link,
  type Span,
  type SpanContext,
  type SpanKind,
  type SpanStatus,
  type TimeInput,
} from '@opentelemetry/api';
import { isAttributeValue, sanitizeAttributes, type InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, SpanLimits, SpanProcessor, TimedEvent } from '@opentelemetry/sdk-trace';
import { msToHrTime, timeInputToHrTime, type SpanClock } from './clock';

/** The SDK's limits with its defaults filled in. @internal */
export type ResolvedSpanLimits = Required<SpanLimits>;

/** What every span of one tracer shares: held once, not copied into each span. @internal */
export interface LeanSpanShared {
  readonly resource: Resource;
  readonly scope: InstrumentationScope;
  readonly limits: ResolvedSpanLimits;
  readonly processor: SpanProcessor;
  readonly clock: SpanClock;
}

/** The event name the specification gives a recorded exception (the SDK's `ExceptionEventName`). */
const EXCEPTION_EVENT = 'exception';
const NOT_ENDED: HrTime = [0, 0];
const NO_LINKS: Link[] = Object.freeze([]) as unknown as Link[];
const NO_EVENTS: TimedEvent[] = Object.freeze([]) as unknown as TimedEvent[];
const UNSET: SpanStatus = Object.freeze({ code: SpanStatusCode.UNSET });
const NO_DURATION: HrTime = [-1, -1];

/**
 * Truncates a string, or each string of an array, to `limit` characters (the SDK's rule); a limit
 * that is not a positive finite number truncates nothing, as in the SDK.
 */
function truncate(value: AttributeValue, limit: number): AttributeValue {
  if (!(limit > 0) || limit === Infinity) return value;
  if (typeof value === 'string') return value.length <= limit ? value : value.substring(0, limit);
  if (Array.isArray(value)) return (value as unknown[]).map((v) => (typeof v === 'string' && v.length > limit ? v.substring(0, limit) : v)) as AttributeValue;
  return value;
}

/** Attributes within a per-event or per-link count limit, each value truncated: the SDK's rule for both. */
function limitedAttributes(input: Attributes | undefined, countLimit: number, lengthLimit: number): { attributes: Attributes; count: number; dropped: number } {
  const sanitized = sanitizeAttributes(input);
  const attributes: Attributes = {};
  let count = 0;
  let dropped = 0;
  for (const key of Object.keys(sanitized)) {
    if (count >= countLimit) {
      dropped++;
      continue;
    }
    attributes[key] = truncate(sanitized[key] as AttributeValue, lengthLimit);
    count++;
  }
  return { attributes, count, dropped };
}

/**
 * A span of `startTracing`'s own provider: what an export needs and nothing else. It is a
 * `ReadableSpan` (the fields the SDK's span offers exporters and processors, read by the encoders),
 * and on `end()` hands itself to the provider's span processor, which encodes it into the request
 * body at once. Unlike the SDK's span it reads the clock once at start (sub-millisecond, see
 * {@link SpanClock}), checks attribute values only by type, keeps no self-metrics closure, and
 * shares resource, scope and limits by reference. The rules it keeps are the SDK's: attribute,
 * event and link limits, value truncation, exception events, status precedence, warnings on use
 * after end.
 * @internal
 */
export class LeanSpan implements Span, ReadableSpan {
  attributes: Attributes = {};
  // Most spans get no link or event and keep their status unset: shared until one is added.
  links: Link[] = NO_LINKS;
  events: TimedEvent[] = NO_EVENTS;
  status: SpanStatus = UNSET;
  endTime: HrTime = NOT_ENDED;
  startTime: HrTime;
  droppedAttributesCount = 0;
  droppedEventsCount = 0;
  droppedLinksCount = 0;
  private attributeCount = 0;
  private isEnded = false;
  /** Start in epoch milliseconds (fractional); the end is measured from it on the same clock. */
  private readonly startMs: number;
  /** `performance.now()` at the start; NaN when the caller gave the start time (the end then comes from the clock alone). */
  private readonly startPerf: number;

  constructor(
    private readonly shared: LeanSpanShared,
    private readonly context: SpanContext,
    public name: string,
    public readonly kind: SpanKind,
    public readonly parentSpanContext: SpanContext | undefined,
    startTime: TimeInput | undefined,
  ) {
    const given = startTime === undefined ? undefined : timeInputToHrTime(startTime, shared.clock);
    if (given) {
      this.startTime = given;
      this.startMs = given[0] * 1000 + given[1] / 1e6;
      this.startPerf = NaN;
    } else {
      this.startPerf = performance.now();
      this.startMs = shared.clock.epochMs(this.startPerf);
      this.startTime = msToHrTime(this.startMs);
    }
  }

  get resource(): Resource {
    return this.shared.resource;
  }

  get instrumentationScope(): InstrumentationScope {
    return this.shared.scope;
  }

  get ended(): boolean {
    return this.isEnded;
  }

  get duration(): HrTime {
    if (!this.isEnded) return NO_DURATION;
    let s = this.endTime[0] - this.startTime[0];
    let ns = this.endTime[1] - this.startTime[1];
    if (ns < 0) {
      s -= 1;
      ns += 1e9;
    }
    return [s, ns];
  }

  spanContext(): SpanContext {
    return this.context;
  }

  isRecording(): boolean {
    return !this.isEnded;
  }

  setAttribute(key: string, value: AttributeValue): this {
    if (value == null || this.warnIfEnded()) return this;
    if (key.length === 0) {
      diag.warn(`Invalid attribute key: ${key}`);
      return this;
    }
    // Strings, numbers and booleans are valid as they are: only arrays need the element check.
    if (typeof value === 'object' && !isAttributeValue(value)) {
      diag.warn(`Invalid attribute value set for key: ${key}`);
      return this;
    }
    const isNew = !Object.prototype.hasOwnProperty.call(this.attributes, key);
    if (isNew && this.attributeCount >= this.shared.limits.attributeCountLimit) {
      this.droppedAttributesCount++;
      return this;
    }
    this.attributes[key] = truncate(value, this.shared.limits.attributeValueLengthLimit);
    if (isNew) this.attributeCount++;
    return this;
  }

  /**
   * Takes an attributes object built for this span alone (the lazy start's), as it is, when the span
   * has none yet and the limits let every value in unchanged: what `setAttributes` would keep, without
   * a copy. Anything else goes through `setAttributes`.
   * @internal
   */
  adoptAttributes(attributes: Attributes): void {
    const { attributeCountLimit, attributeValueLengthLimit } = this.shared.limits;
    let count = 0;
    for (const key in attributes) {
      const value = attributes[key];
      // Only strings, numbers and booleans within the length limit are kept exactly as given.
      if (this.attributeCount !== 0 || key.length === 0 || value == null || typeof value === 'object' || (typeof value === 'string' && value.length > attributeValueLengthLimit)) {
        this.setAttributes(attributes);
        return;
      }
      count++;
    }
    if (count > attributeCountLimit) {
      this.setAttributes(attributes);
      return;
    }
    this.attributes = attributes;
    this.attributeCount = count;
  }

  setAttributes(attributes: Attributes): this {
    for (const key in attributes) {
      if (Object.prototype.hasOwnProperty.call(attributes, key)) this.setAttribute(key, attributes[key] as AttributeValue);
    }
    return this;
  }

  addEvent(name: string, attributesOrTime?: Attributes | TimeInput, time?: TimeInput): this {
    if (this.warnIfEnded()) return this;
    const { eventCountLimit, attributePerEventCountLimit, attributeValueLengthLimit } = this.shared.limits;
    if (eventCountLimit === 0) {
      diag.warn('No events allowed.');
      this.droppedEventsCount++;
      return this;
    }
    if (this.events === NO_EVENTS) this.events = [];
    if (this.events.length >= eventCountLimit) {
      if (this.droppedEventsCount === 0) diag.debug('Dropping extra events.');
      this.events.shift();
      this.droppedEventsCount++;
    }
    let attributes: Attributes | undefined;
    if (isTimeInput(attributesOrTime)) {
      if (!isTimeInput(time)) time = attributesOrTime;
    } else attributes = attributesOrTime;
    const limited = limitedAttributes(attributes, attributePerEventCountLimit, attributeValueLengthLimit);
    this.events.push({ name, attributes: limited.attributes, time: this.timeOf(time), droppedAttributesCount: limited.dropped });
    return this;
  }

  addLink(link: Link): this {
    if (this.warnIfEnded()) return this;
    const { linkCountLimit, attributePerLinkCountLimit, attributeValueLengthLimit } = this.shared.limits;
    if (linkCountLimit === 0) {
      this.droppedLinksCount++;
      return this;
    }
    if (this.links === NO_LINKS) this.links = [];
    if (this.links.length >= linkCountLimit) {
      if (this.droppedLinksCount === 0) diag.debug('Dropping extra links.');
      this.links.shift();
      this.droppedLinksCount++;
    }
    const kept: Link = { context: link.context };
    // The middleware's links carry no attributes: nothing to sanitise then.
    if (link.attributes) {
      const limited = limitedAttributes(link.attributes, attributePerLinkCountLimit, attributeValueLengthLimit);
      if (limited.count > 0) kept.attributes = limited.attributes;
      if (limited.dropped > 0) kept.droppedAttributesCount = limited.dropped;
    }
    this.links.push(kept);
    return this;
  }

  addLinks(links: Link[]): this {
    for (const link of links) this.addLink(link);
    return this;
  }

  setStatus(status: SpanStatus): this {
    if (this.warnIfEnded()) return this;
    // OK is final, and UNSET changes nothing (the specification's precedence, as the SDK applies it).
    if (status.code === SpanStatusCode.UNSET || this.status.code === SpanStatusCode.OK) return this;
    const next: SpanStatus = { code: status.code };
    if (status.code === SpanStatusCode.ERROR) {
      if (typeof status.message === 'string') next.message = status.message;
      else if (status.message != null) diag.warn(`Dropping invalid status.message of type '${typeof status.message}', expected 'string'`);
    }
    this.status = next;
    return this;
  }

  updateName(name: string): this {
    if (this.warnIfEnded()) return this;
    this.name = name;
    return this;
  }

  recordException(exception: Exception, time?: TimeInput): void {
    const attributes: Attributes = {};
    if (typeof exception === 'string') attributes['exception.message'] = exception;
    else if (exception) {
      if (exception.code) attributes['exception.type'] = exception.code.toString();
      else if (exception.name) attributes['exception.type'] = exception.name;
      if (exception.message) attributes['exception.message'] = exception.message;
      if (exception.stack) attributes['exception.stacktrace'] = exception.stack;
    }
    if (attributes['exception.type'] || attributes['exception.message']) this.addEvent(EXCEPTION_EVENT, attributes, time);
    else diag.warn(`Failed to record an exception ${String(exception)}`);
  }

  end(endTime?: TimeInput): void {
    if (this.warnIfEnded()) {
      diag.error(`${this.name} ${this.context.traceId}-${this.context.spanId} - You can only call end() on a span once.`);
      return;
    }
    let end = this.timeOf(endTime);
    if (end[0] < this.startTime[0] || (end[0] === this.startTime[0] && end[1] < this.startTime[1])) {
      diag.warn('Inconsistent start and end time, startTime > endTime. Setting span duration to 0ms.', this.startTime, end);
      end = [this.startTime[0], this.startTime[1]];
    }
    this.endTime = end;
    if (this.droppedEventsCount > 0) diag.warn(`Dropped ${this.droppedEventsCount} events because eventCountLimit reached`);
    if (this.droppedLinksCount > 0) diag.warn(`Dropped ${this.droppedLinksCount} links because linkCountLimit reached`);
    const processor = this.shared.processor as SpanProcessor & { onEnding?(span: Span): void };
    processor.onEnding?.(this);
    this.isEnded = true;
    processor.onEnd(this);
  }

  /** A time the caller gave, else now: measured from this span's start on the monotonic clock. */
  private timeOf(input: TimeInput | undefined): HrTime {
    const given = input === undefined ? undefined : timeInputToHrTime(input, this.shared.clock);
    if (given) return given;
    if (Number.isNaN(this.startPerf)) return msToHrTime(this.shared.clock.nowMs());
    // The offset taken at the start: a span's duration is the monotonic clock's alone.
    return msToHrTime(this.startMs + (performance.now() - this.startPerf));
  }

  private warnIfEnded(): boolean {
    if (!this.isEnded) return false;
    const { traceId, spanId } = this.context;
    diag.warn(`Cannot execute the operation on ended Span {traceId: ${traceId}, spanId: ${spanId}}`, new Error(`Operation attempted on ended Span {traceId: ${traceId}, spanId: ${spanId}}`));
    return true;
  }
}

/** The SDK's `isTimeInput`: what `addEvent` takes as a time rather than attributes. */
function isTimeInput(value: unknown): value is TimeInput {
  return typeof value === 'number' || value instanceof Date || (Array.isArray(value) && value.length === 2 && typeof value[0] === 'number' && typeof value[1] === 'number');
}
