import { promisify } from 'node:util';
import { deflateRaw, inflateRaw } from 'node:zlib';
import { TraceFlags } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace';
import { reportSwallowed } from '../diag/report-once';
import { ExportQueue, type HeldPayloadCodec } from './export-queue';
import type { ExportStats } from './exporter';
import type { BatchOptions, RetryOptions } from './tracing-options';
import type { BatchBuilder, EncodingCollector } from './encoding-collector';

/** A body is sent once it reaches this size, whatever its span count: collectors cap request bodies. */
const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

const deflate = promisify(deflateRaw);
const inflate = promisify(inflateRaw);

/**
 * Held bodies deflated in Node's thread pool, off the event loop. Kafka spans repeat the same keys
 * and topics, so a Thrift body shrinks about 13-fold (2,048 spans: 1.59 MB → 119 KB in 2.7 ms at
 * level 1), and the retry budget holds that many times more of an outage.
 */
const DEFLATED: HeldPayloadCodec<Buffer> = {
  pack: async (body) => {
    const small = await deflate(body, { level: 1 });
    return { payload: small, bytes: small.length };
  },
  unpack: (body) => inflate(body),
};

/**
 * `startTracing`'s span processor for a collector it encodes for itself (OTLP/HTTP protobuf, Jaeger
 * Thrift over HTTP). It does what the SDK's
 * `BatchSpanProcessor` does (batches by count and delay, drops when its queue is full, exports on
 * flush), but encodes each sampled span into the request body the moment it ends. The span object
 * is then garbage at once: with the SDK's processor it waits up to a second among tens of thousands
 * of others, long enough to be promoted to the old generation, which is where a traced service's
 * garbage collection time went (issue 14). What waits instead is encoded bytes, off the JS heap,
 * and the export queue and its retry budget count those bytes exactly.
 * @internal
 */
export class EncodingSpanProcessor implements SpanProcessor {
  private ended = 0;
  private readonly queue: ExportQueue<Buffer>;
  private builder: BatchBuilder | undefined;
  private resource: Resource | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /**
   * Spans that ended while their resource's detectors (host.id and the like) were still running: the
   * resource is written once per body, so they wait, as span objects, until it
   * has settled (milliseconds at start), instead of going out without those attributes.
   */
  private waiting: ReadableSpan[] = [];
  private settling: Promise<void> | undefined;
  private readonly maxBatch: number;
  private readonly delay: number;
  private readonly maxBodyBytes: number;

  constructor(
    private readonly exporter: EncodingCollector,
    label: string,
    batch: Required<BatchOptions>,
    retry: RetryOptions | false = {},
    maxBodyBytes = DEFAULT_MAX_BODY_BYTES,
  ) {
    this.maxBatch = Math.max(1, batch.maxExportBatchSize);
    this.delay = batch.scheduledDelayMillis;
    this.maxBodyBytes = maxBodyBytes;
    this.queue = new ExportQueue((body) => exporter.send(body), label, {
      maxQueueSpans: Math.max(batch.maxQueueSize, this.maxBatch),
      flushTimeoutMillis: batch.exportTimeoutMillis,
      retry,
    }, DEFLATED);
  }

  /** Export counts so far; nothing is queued or in flight after a flush, so they are final then. */
  stats(): ExportStats {
    return { endedSpans: this.ended, ...this.queue.stats, rejectedSpans: this.exporter.rejectedSpans?.() ?? 0 };
  }

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    this.ended++;
    if (this.stopped || !this.queue.accepts((this.builder?.spans ?? 0) + this.waiting.length + 1)) return this.queue.drop(1);
    if (span.resource.asyncAttributesPending || this.waiting.length > 0) return this.wait(span);
    this.encode(span);
  }

  /** Holds a span until its resource's asynchronous attributes have settled, then encodes it and those before it. */
  private wait(span: ReadableSpan): void {
    this.waiting.push(span);
    if (this.settling) return;
    const settled = span.resource.waitForAsyncAttributes?.() ?? Promise.resolve();
    this.settling = settled
      .catch((err: unknown) => reportSwallowed('resource-detect', err))
      .then(() => {
        const spans = this.waiting;
        this.waiting = [];
        this.settling = undefined;
        // A span of another resource still pending starts the next wait.
        for (const s of spans) {
          if (s.resource.asyncAttributesPending || this.waiting.length > 0) this.wait(s);
          else this.encode(s);
        }
      });
  }

  private encode(span: ReadableSpan): void {
    // One body per resource: a provider has one, but a processor may be shared.
    if (this.builder && span.resource !== this.resource) {
      this.send();
      this.builder = undefined;
    }
    const builder = (this.builder ??= this.exporter.builder(span.resource, this.maxBatch * this.exporter.typicalSpanBytes));
    this.resource = span.resource;
    try {
      builder.add(span);
    } catch (err) {
      reportSwallowed('span-encode', err);
      return this.queue.lose(1);
    }
    if (builder.spans >= this.maxBatch || builder.bytes >= this.maxBodyBytes) this.send();
    else if (builder.spans === 1) this.startTimer();
  }

  private startTimer(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.send(), this.delay);
    this.timer.unref(); // flush and shutdown send what is left; a timer must not keep the process up
  }

  /** Hands the batch being built to the queue. */
  private send(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const builder = this.builder;
    if (!builder || builder.spans === 0) return;
    const spans = builder.spans;
    const body = builder.finish();
    this.queue.enqueue(body, spans, body.length);
  }

  async forceFlush(): Promise<void> {
    while (this.settling) await this.settling;
    this.send();
    await this.queue.flush();
  }

  async shutdown(): Promise<void> {
    if (this.stopped) return;
    while (this.settling) await this.settling;
    this.send();
    this.stopped = true;
    await this.queue.shutdown();
    await this.exporter.shutdown();
  }
}
