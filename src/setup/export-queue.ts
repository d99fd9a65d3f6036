import { context, diag } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { CollectorPostError } from './collector-error';
import type { RetryOptions } from './tracing-options';
import { noDeliveries, type DeliveryStats } from './exporter';
import { reportSwallowed } from '../diag/report-once';

/**
 * Default retry budget: minutes of an outage at 12,000 messages/s on the encoding paths (OTLP, Jaeger), whose held
 * bodies are deflated (about 60 bytes a span), a few seconds with span objects (1–2 KB each).
 * Paid only while the collector fails.
 */
export const DEFAULT_RETRY_MAX_BYTES = 256 * 1024 * 1024;

/**
 * How held payloads are made smaller while they wait, and restored before a resend (the Jaeger
 * path deflates its bodies). Both run off the event loop or are cheap. @internal
 */
export interface HeldPayloadCodec<T> {
  pack(payload: T): Promise<{ payload: T; bytes: number }>;
  unpack(payload: T): Promise<T>;
}

/** Settings of an {@link ExportQueue}. @internal */
export interface ExportQueueOptions {
  /**
   * Spans waiting for their first export (the processor's `maxQueueSize`); beyond it new batches are
   * dropped, unless the collector is failing or stuck (then they wait in the retry budget).
   */
  maxQueueSpans: number;
  /** Longest a flush spends sending. */
  flushTimeoutMillis: number;
  retry: RetryOptions | false;
}

/** One batch waiting for its export. */
interface Item<T> {
  payload: T;
  /** What it costs in the budget now. */
  bytes: number;
  /** `payload` is packed by the codec (held ones are, once packing finished). */
  packed: boolean;
  spans: number;
  /** In the retry budget: its first export failed, or it arrived while the collector was failing. */
  held: boolean;
  sending: boolean;
  /** Resends that failed while other exports got through. */
  strikes: number;
}

/** Fresh bodies in flight at once: one more than a serial sender, so an answer's wait is not idle time. */
const MAX_IN_FLIGHT = 2;
const DEFAULT_INITIAL_BACKOFF_MS = 500;
const DEFAULT_MAX_BACKOFF_MS = 5_000;
/** An export out longer than this (ms) marks the collector as stuck: new batches are held, not queued behind it. */
const STUCK_MS = 1_000;
/** Resends of one batch that fail while other exports get through, before it is given up as refused. */
const MAX_STRIKES = 3;

/**
 * Sends batches (encoded bodies, or span objects) to the collector and holds those it could not
 * take. Two queues: fresh batches (never tried; bounded in spans, like the SDK's batch queue) go
 * first; held batches (first export failed, made while the collector was failing, or not fitting
 * among the fresh ones) wait in a budget bounded in bytes, the
 * oldest given up first when it is full, and are resent oldest first, one at a time, with backoff
 * while the collector fails and as soon as it answers again. Fresh bodies going first is what keeps
 * a catch-up after an outage from starving live spans. Sends run with tracing suppressed, as the
 * SDK's processor does, so an instrumented HTTP client does not trace the export.
 * @internal
 */
export class ExportQueue<T> {
  readonly stats: DeliveryStats = noDeliveries();
  private readonly fresh: Item<T>[] = [];
  private freshSpans = 0;
  private readonly held: Item<T>[] = [];
  private inFlight = 0;
  /** When each batch in flight was sent. */
  private readonly sendingSince = new Map<Item<T>, number>();
  private readonly waiters = new Set<() => void>();
  private readonly maxBytes: number;
  private readonly initialBackoff: number;
  private readonly maxBackoff: number;
  private backoff: number;
  private backoffTimer: NodeJS.Timeout | undefined;
  /** The longest wait a collector asked for (Retry-After) since the last resend was scheduled. */
  private retryAfter = 0;
  private failing = false;
  private budgetWarned = false;
  private refusalWarned = false;
  private deliveredSinceResend = false;
  private flushing = 0;
  private flushFailed = false;
  private stopped = false;

  constructor(
    private readonly send: (payload: T) => Promise<void>,
    private readonly label: string,
    private readonly options: ExportQueueOptions,
    private readonly codec?: HeldPayloadCodec<T>,
  ) {
    const retry = options.retry;
    this.maxBytes = retry === false ? 0 : (retry.maxBytes ?? DEFAULT_RETRY_MAX_BYTES);
    this.initialBackoff = retry === false ? 0 : (retry.initialBackoffMillis ?? DEFAULT_INITIAL_BACKOFF_MS);
    this.maxBackoff = retry === false ? 0 : Math.max(this.initialBackoff, retry.maxBackoffMillis ?? DEFAULT_MAX_BACKOFF_MS);
    this.backoff = this.initialBackoff;
  }

  /**
   * Whether `spans` more can be queued (the caller drops them otherwise, as the SDK's processor does
   * when its queue is full): while the fresh batches hold fewer than `maxQueueSpans` spans, or, with
   * retry on, while the collector is failing or stuck (then batches wait in the retry budget).
   */
  accepts(spans: number): boolean {
    return this.freshSpans + spans <= this.options.maxQueueSpans || this.holdingNew();
  }

  /**
   * New batches go straight to the retry budget: retry is on and the collector is failing, or an
   * export has been out for over {@link STUCK_MS} (an exporter retrying on its own, as the OTLP one
   * does for up to its timeout, or a collector that accepts connections and never answers).
   */
  private holdingNew(): boolean {
    if (this.maxBytes === 0 || this.flushing > 0) return false;
    if (this.failing) return true;
    const now = Date.now();
    for (const started of this.sendingSince.values()) if (now - started > STUCK_MS) return true;
    return false;
  }

  /** Counts spans dropped before they were queued (queue full, or ended after shutdown). */
  drop(spans: number): void {
    this.stats.droppedSpans += spans;
  }

  /** Counts spans lost before they were queued (they could not be encoded). */
  lose(spans: number): void {
    this.stats.lostSpans += spans;
  }

  /** Queues one batch of `spans` spans, costing `bytes` while it waits, for export. */
  enqueue(payload: T, spans: number, bytes: number): void {
    if (this.stopped) return this.drop(spans);
    const item: Item<T> = { payload, bytes, packed: false, spans, held: false, sending: false, strikes: 0 };
    // While the collector fails or is stuck, a fresh try would only fail or wait too: straight to the
    // budget, resent with the rest once it answers. A collector merely slower than the spans come gets
    // the SDK processor's treatment instead: a full queue drops (holding would cost memory and
    // compression time only to lose the oldest later).
    if (this.holdingNew()) {
      this.stats.failedSpans += spans;
      this.hold(item);
    } else if (this.freshSpans + spans > this.options.maxQueueSpans) {
      return this.drop(spans);
    } else {
      this.fresh.push(item);
      this.freshSpans += spans;
    }
    this.pump();
  }

  private pump(): void {
    if (this.stopped) return;
    while (this.inFlight < MAX_IN_FLIGHT) {
      const next = this.fresh.shift() ?? this.nextResend();
      if (!next) return;
      if (!next.held) this.freshSpans -= next.spans;
      this.attempt(next);
    }
  }

  /** The oldest held batch, when a resend may go now: one at a time, and not during a backoff. */
  private nextResend(): Item<T> | undefined {
    const resendAllowed = this.flushing > 0 ? !this.flushFailed : this.backoffTimer === undefined;
    if (!resendAllowed || this.held.some((b) => b.sending)) return undefined;
    return this.held[0];
  }

  private attempt(item: Item<T>): void {
    this.inFlight++;
    item.sending = true;
    this.sendingSince.set(item, Date.now());
    if (item.held) this.deliveredSinceResend = false;
    const payload = item.packed && this.codec ? this.codec.unpack(item.payload) : Promise.resolve(item.payload);
    const sent = payload.then((p) => context.with(suppressTracing(context.active()), () => this.send(p)));
    sent
      .then(
        () => this.delivered(item),
        (err: unknown) => this.failed(item, err),
      )
      .finally(() => {
        item.sending = false;
        this.sendingSince.delete(item);
        this.inFlight--;
        for (const wake of [...this.waiters]) wake();
        this.pump();
      });
  }

  private delivered(item: Item<T>): void {
    this.stats.exportedSpans += item.spans;
    if (item.held) {
      this.stats.resentSpans += item.spans;
      if (!this.release(item)) this.stats.lostSpans -= item.spans; // given up while on its way, and delivered after all
    }
    this.deliveredSinceResend = true;
    if (this.failing) diag.info(`kafkajs-tracing: export to ${this.label} works again`);
    this.failing = false;
    this.budgetWarned = false;
    this.backoff = this.initialBackoff;
    // The collector answers again: what is held goes now rather than at the end of the backoff.
    clearTimeout(this.backoffTimer);
    this.backoffTimer = undefined;
  }

  private failed(item: Item<T>, err: unknown): void {
    this.stats.failedExports++;
    if (this.flushing > 0) this.flushFailed = true;
    const error = err instanceof Error ? err : new Error(String(err));
    const retryable = !(err instanceof CollectorPostError) || err.retryable;
    if (!retryable) {
      // The collector answered, and refused this body: it is not failing, so new batches go on as
      // usual; the refusal is said once (unless the collector client said it already).
      if (!this.refusalWarned && !(err instanceof CollectorPostError && err.reported)) {
        diag.warn(`kafkajs-tracing: ${this.label} refused an export; its spans are lost, not sent again (later refusals are only counted): ${error.message}`);
      }
      this.refusalWarned = true;
    } else {
      if (!this.failing) {
        const fate = this.maxBytes > 0 ? 'spans are held and resent when it recovers' : 'spans are dropped until it recovers';
        diag.warn(`kafkajs-tracing: export to ${this.label} failed (${fate}): ${error.message}`);
      }
      this.failing = true;
    }
    if (err instanceof CollectorPostError && err.retryAfterMillis !== undefined) this.retryAfter = Math.max(this.retryAfter, err.retryAfterMillis);
    if (!item.held) {
      this.stats.failedSpans += item.spans;
      if (retryable && this.maxBytes > 0 && !this.stopped) this.hold(item);
      else this.stats.lostSpans += item.spans;
    } else if (!retryable || (this.deliveredSinceResend && ++item.strikes >= MAX_STRIKES)) {
      // The collector refuses this batch (a 4xx, or it fails alone while others get through): stop trying.
      if (this.release(item)) this.stats.lostSpans += item.spans;
    }
    if (this.backoffTimer === undefined && !this.stopped && this.held.length > 0) this.scheduleResend();
  }

  /** Adds a batch to the budget, giving up the oldest held ones until it fits. */
  private hold(item: Item<T>): void {
    item.held = true;
    if (item.bytes > this.maxBytes) {
      this.stats.lostSpans += item.spans;
      return;
    }
    let evicted = 0;
    while (this.stats.heldBytes + item.bytes > this.maxBytes && this.held.length > 0) {
      const oldest = this.held[0] as Item<T>;
      this.release(oldest);
      evicted += oldest.spans;
    }
    if (evicted > 0) {
      this.stats.lostSpans += evicted;
      if (!this.budgetWarned) diag.warn(`kafkajs-tracing: retry budget for ${this.label} is full (${this.maxBytes} bytes): the oldest held spans are being lost`);
      this.budgetWarned = true;
    }
    this.held.push(item);
    this.stats.heldBytes += item.bytes;
    this.stats.heldSpans += item.spans;
    this.pack(item);
  }

  /** Makes a held batch smaller (the codec's work), unless `retry.compress` is false. */
  private pack(item: Item<T>): void {
    if (!this.codec || item.packed || this.options.retry === false || this.options.retry.compress === false) return;
    this.codec.pack(item.payload).then(
      (small) => {
        // Sent, given up or resent meanwhile: nothing to swap.
        if (item.sending || item.packed || !this.held.includes(item)) return;
        this.stats.heldBytes -= item.bytes - small.bytes;
        item.payload = small.payload;
        item.bytes = small.bytes;
        item.packed = true;
      },
      (err: unknown) => reportSwallowed('held-compress', err), // kept as it is: it still counts at full size
    );
  }

  /** Takes a batch out of the budget; false when it was no longer there. */
  private release(item: Item<T>): boolean {
    const at = this.held.indexOf(item);
    if (at < 0) return false;
    this.held.splice(at, 1);
    this.stats.heldBytes -= item.bytes;
    this.stats.heldSpans -= item.spans;
    return true;
  }

  private scheduleResend(): void {
    // ±20 % jitter, and never sooner than the collector's Retry-After.
    const wait = Math.max(this.retryAfter, this.backoff * (0.8 + 0.4 * Math.random()));
    this.retryAfter = 0;
    this.backoff = Math.min(this.maxBackoff, this.backoff * 2);
    this.backoffTimer = setTimeout(() => {
      this.backoffTimer = undefined;
      this.pump();
    }, wait);
    this.backoffTimer.unref(); // a pending resend never keeps the process alive; shutdown flushes
  }

  /** Resolves when a send settles, or at `deadline`. */
  private settled(deadline: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, deadline - Date.now()));
      this.waiters.add(done);
    });
  }

  /**
   * Sends everything queued, held bodies too whatever the backoff, until the queue is empty, a send
   * fails (the collector is failing: the backoff takes over again), or `flushTimeoutMillis` passes.
   */
  async flush(): Promise<void> {
    const deadline = Date.now() + this.options.flushTimeoutMillis;
    this.flushing++;
    this.flushFailed = false;
    try {
      for (;;) {
        this.pump();
        const empty = this.fresh.length === 0 && this.held.length === 0;
        if ((empty || this.flushFailed) && this.inFlight === 0) return;
        if (Date.now() >= deadline) return;
        await this.settled(deadline);
      }
    } finally {
      this.flushing--;
      if (this.flushing === 0 && this.held.length > 0 && this.backoffTimer === undefined && !this.stopped) this.scheduleResend();
    }
  }

  /** Flushes, then counts whatever is still queued as lost; nothing is sent after this. */
  async shutdown(): Promise<void> {
    await this.flush();
    this.stopped = true;
    clearTimeout(this.backoffTimer);
    for (const item of this.fresh.splice(0)) this.stats.lostSpans += item.spans;
    this.freshSpans = 0;
    for (const item of [...this.held]) if (this.release(item)) this.stats.lostSpans += item.spans;
  }
}
