import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { ExportQueue } from './export-queue';
import type { DeliveryStats } from './exporter';
import type { RetryOptions } from './tracing-options';

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

/**
 * Sits between the SDK's batch processor and any exporter but the Jaeger collector's HTTP one
 * (which has its own processor, `EncodingSpanProcessor`): each batch goes into an {@link ExportQueue},
 * which sends it, counts the outcome, and holds it for resending when the export fails. The
 * processor is answered at once, so an exporter that retries on its own for seconds (the OTLP one
 * does) never holds the processor's queue up: the export queue and its byte budget pace it instead.
 * @internal
 */
export class RetryingExporter implements SpanExporter {
  private readonly queue: ExportQueue<ReadableSpan[]>;

  constructor(
    private readonly inner: SpanExporter,
    label: string,
    retry: RetryOptions | false = {},
    /** Longest a flush spends sending, and the most spans waiting for a first export. */
    flushTimeoutMillis = 30_000,
    maxQueueSpans = 65_536,
  ) {
    this.queue = new ExportQueue((spans) => this.sendSpans(spans), label, { maxQueueSpans, flushTimeoutMillis, retry });
  }

  get stats(): DeliveryStats {
    return this.queue.stats;
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    if (!this.queue.accepts(spans.length)) {
      this.queue.drop(spans.length);
      return resultCallback({ code: ExportResultCode.FAILED, error: new Error('export queue full') });
    }
    this.queue.enqueue(spans, spans.length, estimateBytes(spans));
    resultCallback({ code: ExportResultCode.SUCCESS });
  }

  private sendSpans(spans: ReadableSpan[]): Promise<void> {
    return new Promise((resolve, reject) => {
      try {
        // One answer per batch, whatever the exporter does: a second one would count it twice.
        this.inner.export(spans, (result) => (result.code === ExportResultCode.SUCCESS ? resolve() : reject(result.error ?? new Error('export failed'))));
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  /** Sends what is queued, held batches too, within the flush timeout. */
  async forceFlush(): Promise<void> {
    await this.queue.flush();
    await this.inner.forceFlush?.();
  }

  /** Flushes, counts whatever is still held as lost, and shuts the exporter down. */
  async shutdown(): Promise<void> {
    await this.queue.shutdown();
    await this.inner.shutdown();
  }
}
