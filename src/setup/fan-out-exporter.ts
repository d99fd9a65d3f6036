import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';

/**
 * Hands every batch to several exporters (`OTEL_TRACES_EXPORTER=otlp,console`) and answers once all
 * have: success only if every one succeeded, so a batch lost anywhere is counted as failed.
 * @internal
 */
export class FanOutExporter implements SpanExporter {
  constructor(private readonly exporters: readonly SpanExporter[]) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    let pending = this.exporters.length;
    let failure: ExportResult | undefined;
    for (const exporter of this.exporters) {
      let answered = false;
      const done = (result: ExportResult): void => {
        if (answered) return; // an exporter answering twice must not answer for another
        answered = true;
        if (result.code !== ExportResultCode.SUCCESS) failure ??= result;
        if (--pending === 0) resultCallback(failure ?? { code: ExportResultCode.SUCCESS });
      };
      try {
        exporter.export(spans, done);
      } catch (err) {
        done({ code: ExportResultCode.FAILED, error: err instanceof Error ? err : new Error(String(err)) });
      }
    }
  }

  async shutdown(): Promise<void> {
    await Promise.all(this.exporters.map((e) => e.shutdown()));
  }

  async forceFlush(): Promise<void> {
    await Promise.all(this.exporters.map((e) => e.forceFlush?.()));
  }
}
