import { context, diag } from '@opentelemetry/api';
import { ExportResultCode, suppressTracing, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { RetryOptions } from './tracing-options';

/** Counts kept by {@link RetryingExporter}. @internal */
export interface DeliveryStats {
  exportedSpans: number;
  failedSpans: number;
  failedExports: number;
  lostSpans: number;
  resentSpans: number;
  heldSpans: number;
  heldBytes: number;
}

/**
 * Default retry budget. A 15 s collector outage at 12,000 messages/s (two spans each) is 360,000
 * spans; as Jaeger Thrift they take about 675 bytes each, 232 MiB in all. 256 MiB covers it,
 * paid only while the collector is down (held bodies are off-heap buffers).
 */
export const DEFAULT_RETRY_MAX_BYTES = 256 * 1024 * 1024;
const DEFAULT_INITIAL_BACKOFF_MS = 500;
const DEFAULT_MAX_BACKOFF_MS = 5_000;
/** Resends of one batch that fail while fresh exports get through, before it is given up as refused. */
const MAX_STRIKES = 3;

/** A batch waiting to be resent: its size in the budget, its span count, how to send it again. */
interface Held {
  bytes: number;
  spans: number;
  strikes: number;
  send(): Promise<void>;
}

/**
 * What a span object held for a resend costs, roughly: the span, its context, times and status
 * (~700 bytes), plus its name, attribute keys and string values (two bytes a character, as V8 may
 * store them) and events. An estimate; the Jaeger path holds exact encoded bodies instead.
 */
function estimateBytes(spans: readonly ReadableSpan[]): number {
  let bytes = 0;
  for (const span of spans) {
    bytes += 700 + 2 * span.name.length + 96 * span.events.length + 64 * span.links.length;
    for (const key in span.attributes) {
      const value = span.attributes[key];
      bytes += 48 + 2 * key.length + (typeof value === 'string' ? 2 * value.length : 16);
    }
  }
  return bytes;
}

const asError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));

/**
 * Sits between the SDK's batch processor and any exporter but the Jaeger collector's HTTP one
 * (which has its own processor, `JaegerSpanProcessor`): counts outcomes, reports the first
 * failure and the recovery once through `diag`, and holds batches whose export failed in a budget
 * bounded in bytes (the oldest are given up first when it is full, counted as lost), resending
 * them with backoff until the collector answers again. The processor is answered as soon as a batch
 * is delivered or held, so an outage never makes it wait longer than one failed attempt.
 * @internal
 */
export class RetryingExporter implements SpanExporter {
  readonly stats: DeliveryStats = { exportedSpans: 0, failedSpans: 0, failedExports: 0, lostSpans: 0, resentSpans: 0, heldSpans: 0, heldBytes: 0 };
  private readonly held: Held[] = [];
  private readonly maxBytes: number;
  private readonly initialBackoff: number;
  private readonly maxBackoff: number;
  private backoff: number;
  private timer: NodeJS.Timeout | undefined;
  private resending = false;
  private failing = false;
  /** Set when a fresh export got through: a resend failing after that is held against its batch. */
  private deliveredSinceResend = false;
  private stopped = false;
  /** Exports not yet answered: the processor starts full batches on its own, and a flush waits for them. */
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly inner: SpanExporter,
    private readonly label: string,
    retry: RetryOptions | false = {},
    /** Longest a flush spends resending held batches. */
    private readonly flushTimeoutMillis = 30_000,
  ) {
    this.maxBytes = retry === false ? 0 : (retry.maxBytes ?? DEFAULT_RETRY_MAX_BYTES);
    this.initialBackoff = retry === false ? 0 : (retry.initialBackoffMillis ?? DEFAULT_INITIAL_BACKOFF_MS);
    this.maxBackoff = retry === false ? 0 : Math.max(this.initialBackoff, retry.maxBackoffMillis ?? DEFAULT_MAX_BACKOFF_MS);
    this.backoff = this.initialBackoff;
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    let answered = false;
    let settle = (): void => undefined;
    const done = new Promise<void>((resolve) => (settle = resolve));
    this.pending.add(done);
    const answer = (result: ExportResult): void => {
      // One answer per batch, whatever the exporter does: a second one would count it twice.
      if (answered) return;
      answered = true;
      this.pending.delete(done);
      settle();
      resultCallback(result);
    };
    this.exportSpans(spans, answer);
  }

  /** The span objects are held, with an estimate of what they cost. */
  private exportSpans(spans: ReadableSpan[], answer: (result: ExportResult) => void): void {
    void this.sendSpans(spans).then(
      () => {
        this.delivered(spans.length);
        answer({ code: ExportResultCode.SUCCESS });
      },
      (err: unknown) => {
        const again = (): Promise<void> => this.sendSpans(spans);
        this.failed(spans.length, asError(err), { bytes: estimateBytes(spans), spans: spans.length, strikes: 0, send: again });
        answer(this.answerFor(asError(err)));
      },
    );
  }

  /** Held batches are answered as delivered: the processor has nothing more to do for them. */
  private answerFor(failure: Error | undefined): ExportResult {
    if (failure === undefined || this.maxBytes > 0) return { code: ExportResultCode.SUCCESS };
    return { code: ExportResultCode.FAILED, error: failure };
  }

  private sendSpans(spans: ReadableSpan[]): Promise<void> {
    return new Promise((resolve, reject) => {
      try {
        this.inner.export(spans, (result) => (result.code === ExportResultCode.SUCCESS ? resolve() : reject(result.error ?? new Error('export failed'))));
      } catch (err) {
        reject(asError(err));
      }
    });
  }

  private delivered(spans: number): void {
    this.stats.exportedSpans += spans;
    this.deliveredSinceResend = true;
    if (this.failing) diag.info(`kafkajs-tracing: export to ${this.label} works again`);
    this.failing = false;
    // The collector answers again: resend what is held now rather than at the end of the backoff.
    if (this.held.length > 0 && !this.resending) this.resendSoon(0);
  }

  private failed(spans: number, error: Error, held: Held | undefined): void {
    this.stats.failedSpans += spans;
    this.stats.failedExports++;
    if (!this.failing) {
      const fate = this.maxBytes > 0 ? 'spans are held and resent when it recovers' : 'spans are dropped until it recovers';
      diag.warn(`kafkajs-tracing: export to ${this.label} failed (${fate}): ${error.message}`);
    }
    this.failing = true;
    if (held && this.maxBytes > 0 && !this.stopped) this.hold(held);
    else this.giveUp(spans);
  }

  private giveUp(spans: number): void {
    this.stats.lostSpans += spans;
  }

  /** Adds a batch to the budget, giving up the oldest held ones until it fits. */
  private hold(batch: Held): void {
    if (batch.bytes > this.maxBytes) return this.giveUp(batch.spans);
    let evicted = 0;
    while (this.stats.heldBytes + batch.bytes > this.maxBytes) evicted += this.release(this.held.shift() as Held).spans;
    if (evicted > 0) {
      this.stats.lostSpans += evicted;
      diag.warn(`kafkajs-tracing: retry budget for ${this.label} is full (${this.maxBytes} bytes): ${evicted} of the oldest held spans are lost`);
    }
    this.held.push(batch);
    this.stats.heldBytes += batch.bytes;
    this.stats.heldSpans += batch.spans;
    if (!this.resending && !this.timer) this.resendSoon(this.nextBackoff());
  }

  private release(batch: Held): Held {
    this.stats.heldBytes -= batch.bytes;
    this.stats.heldSpans -= batch.spans;
    return batch;
  }

  /** The current backoff with ±20 % jitter, then doubled for next time up to the cap. */
  private nextBackoff(): number {
    const wait = this.backoff * (0.8 + 0.4 * Math.random());
    this.backoff = Math.min(this.maxBackoff, this.backoff * 2);
    return wait;
  }

  private resendSoon(delay: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // Like the processor's exports: an instrumented HTTP client must not trace the resend.
      void context.with(suppressTracing(context.active()), () => this.resendHeld(Infinity));
    }, delay);
    this.timer.unref(); // a pending resend never keeps the process alive; shutdown flushes
  }

  /**
   * Resends held batches oldest first, one at a time, until none is left, one fails, or the
   * deadline passes. After a failure the next try waits the backoff.
   */
  private async resendHeld(deadline: number): Promise<void> {
    if (this.resending) return;
    this.resending = true;
    try {
      while (this.held.length > 0 && Date.now() < deadline) {
        const batch = this.held[0] as Held;
        this.deliveredSinceResend = false;
        // Each attempt has the export timeout too: an exporter that never answers must not stop the resends.
        const ok = await withDeadline(batch.send(), Math.min(deadline, Date.now() + this.flushTimeoutMillis)).then(
          () => true,
          () => false,
        );
        const stillHeld = this.held[0] === batch; // not evicted meanwhile
        if (ok) {
          if (stillHeld) this.release(this.held.shift() as Held);
          else this.stats.lostSpans -= batch.spans; // evicted while on its way, and delivered after all
          this.stats.resentSpans += batch.spans;
          this.delivered(batch.spans);
          this.backoff = this.initialBackoff;
          continue;
        }
        this.stats.failedExports++;
        // Fresh batches get through and this one does not: the collector refuses it; stop trying.
        if (stillHeld && this.deliveredSinceResend && ++batch.strikes >= MAX_STRIKES) {
          this.stats.lostSpans += this.release(this.held.shift() as Held).spans;
          continue;
        }
        if (deadline === Infinity) this.resendSoon(this.nextBackoff());
        return;
      }
    } finally {
      this.resending = false;
    }
  }

  /** Waits for running exports, then resends what is held, within the flush timeout. */
  async forceFlush(): Promise<void> {
    await this.inner.forceFlush?.();
    await withDeadline(Promise.all(this.pending).then(() => undefined), Date.now() + this.flushTimeoutMillis).catch(() => undefined);
    await this.flushHeld();
  }

  private async flushHeld(): Promise<void> {
    const deadline = Date.now() + this.flushTimeoutMillis;
    // A resend already running finishes (or fails) first; then this flush tries again.
    while (this.resending && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await context.with(suppressTracing(context.active()), () => this.resendHeld(deadline));
  }

  /** Flushes, then counts whatever is still held as lost and shuts the exporter down. */
  async shutdown(): Promise<void> {
    await this.forceFlush();
    this.stopped = true;
    clearTimeout(this.timer);
    for (const batch of this.held.splice(0)) this.stats.lostSpans += this.release(batch).spans;
    await this.inner.shutdown();
  }
}

/** `promise`, or a rejection once `deadline` (epoch ms) passes. */
function withDeadline(promise: Promise<void>, deadline: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('flush deadline passed')), Math.max(0, deadline - Date.now()));
    promise.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}
