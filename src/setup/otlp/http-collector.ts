import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { diag } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { VERSION } from '../../version';
import { CollectorPostError, parseRetryAfter } from '../collector-error';
import type { EncodingCollector } from '../encoding-collector';
import { OtlpBatchBuilder, encodeResource, type EncodedResource } from './batch-builder';
import type { OtlpHttpConfig } from './otlp-config';
import { readPartialSuccess } from './partial-success';

const gzip = promisify(gzipCallback);

/** Statuses the OTLP/HTTP specification calls retryable; every other failure status is final. */
const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);
/** Most of an answer's body read (a partial success, or an error's text); the rest is drained. */
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * TLS failures that sending again cannot cure: the server's certificate is not trusted (a wrong or
 * missing CA, a name mismatch, expired) or the server refused ours. Node reports OpenSSL's
 * verification results by name (`UNABLE_TO_VERIFY_LEAF_SIGNATURE`, `SELF_SIGNED_CERT_IN_CHAIN`,
 * `CERT_HAS_EXPIRED`, `ERR_TLS_CERT_ALTNAME_INVALID`) and alerts from the server as `ERR_SSL_…_ALERT_…`.
 */
function isTlsRefusal(code: string | undefined): boolean {
  return code !== undefined && /CERT|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|UNKNOWN_CA|INVALID_CA|HOSTNAME_MISMATCH|WRONG_VERSION_NUMBER|ALERT_HANDSHAKE_FAILURE|ALERT_ACCESS_DENIED/.test(code);
}

/**
 * Exports to an OTLP/HTTP collector: `POST` of an `ExportTraceServiceRequest` in protobuf, bodies
 * built by {@link OtlpBatchBuilder} as spans end (the encoding processor's side of this class), over
 * one keep-alive connection pool, gzip-compressed when asked. Failures say whether they may be
 * retried, as the specification sorts them: 429, 502, 503, 504 and network failures may (after
 * `Retry-After` when the collector gives one); any other status, and TLS verification failures, are
 * final, so the spans are counted as lost at once and the cause is reported once through diag. A
 * `partial_success` in a 200 answer counts its rejected spans and is reported once.
 *
 * It is a `SpanExporter` too, for the SDK's processor when it is one of several exporters
 * (`OTEL_TRACES_EXPORTER=otlp,console`): the same encoder, a body per resource per batch.
 * @internal
 */
export class OtlpHttpCollector implements EncodingCollector, SpanExporter {
  private readonly url: URL;
  private readonly agent: HttpAgent;
  private readonly resources = new WeakMap<Resource, EncodedResource>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly reported = new Set<string>();
  private rejected = 0;
  private stopped = false;

  /** Encoded bytes of a typical Kafka span in OTLP (bench/otlp-encoding.ts: 484 for a consumer span). */
  readonly typicalSpanBytes = 500;

  constructor(private readonly config: OtlpHttpConfig) {
    this.url = new URL(config.url);
    const { ca, cert, key } = config;
    this.agent = this.url.protocol === 'https:' ? new HttpsAgent({ keepAlive: true, ca, cert, key }) : new HttpAgent({ keepAlive: true });
  }

  /** The endpoint, for labels. */
  get endpoint(): string {
    return this.url.href;
  }

  builder(resource: Resource, initialBytes: number): OtlpBatchBuilder {
    let encoded = this.resources.get(resource);
    if (!encoded) this.resources.set(resource, (encoded = encodeResource(resource)));
    return new OtlpBatchBuilder(encoded, initialBytes);
  }

  rejectedSpans(): number {
    return this.rejected;
  }

  send(body: Buffer): Promise<void> {
    if (this.stopped) return Promise.reject(new CollectorPostError('OTLP exporter is shut down', false));
    const sent = (this.config.compression === 'gzip' ? gzip(body, { level: 1 }) : Promise.resolve(body)).then((b) => this.post(b));
    this.inFlight.add(sent);
    const untrack = (): void => void this.inFlight.delete(sent);
    sent.then(untrack, untrack);
    return sent;
  }

  /** Says `message` through diag.error the first time `key` comes up. */
  private reportOnce(key: string, message: string): void {
    if (this.reported.has(key)) return;
    this.reported.add(key);
    diag.error(`kafkajs-tracing: ${message} (reported once)`);
  }

  /** What a complete answer means: delivered (maybe partly rejected), or a failure that may or may not be retried. */
  private answered(res: IncomingMessage, body: Buffer): CollectorPostError | undefined {
    const status = res.statusCode ?? 0;
    const where = `OTLP collector ${this.url.href}`;
    if (status >= 200 && status < 300) {
      const partial = readPartialSuccess(body);
      if (partial && (partial.rejectedSpans > 0 || partial.errorMessage)) {
        this.rejected += partial.rejectedSpans;
        this.reportOnce('partial', `${where} accepted a request but rejected ${partial.rejectedSpans} of its spans: ${partial.errorMessage || '(no message)'}; further rejections are counted in exportStats().rejectedSpans`);
      }
      return undefined;
    }
    if (RETRYABLE_STATUS.has(status)) return new CollectorPostError(`${where} answered HTTP ${status}`, true, parseRetryAfter(res.headers['retry-after']));
    // A google.rpc.Status in protobuf, or text: its readable part is enough to say why.
    const why = body.toString('utf8').replace(/[^\x20-\x7e]+/g, ' ').trim().slice(0, 200);
    const message = `${where} answered HTTP ${status}${why ? ` (${why})` : ''}: the spans of such requests are not sent again and are counted as lost`;
    this.reportOnce(`status ${status}`, message);
    return new CollectorPostError(message, false, undefined, true);
  }

  /**
   * Posts one body. Settles exactly once, whichever way the exchange ends: a complete answer, a
   * request or response error, a connection closed mid-answer, or no complete answer within
   * `timeoutMillis` (a deadline for the whole exchange).
   */
  private post(body: Buffer): Promise<void> {
    const { timeoutMillis, headers, compression } = this.config;
    const request = this.url.protocol === 'https:' ? httpsRequest : httpRequest;
    const where = `OTLP collector ${this.url.href}`;
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (failure?: CollectorPostError): void => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        if (failure) reject(failure);
        else resolve();
      };
      const req = request(
        this.url,
        {
          method: 'POST',
          agent: this.agent,
          headers: {
            'User-Agent': `kafkajs-tracing/${VERSION}`,
            ...headers,
            'Content-Type': 'application/x-protobuf',
            'Content-Length': body.length,
            ...(compression === 'gzip' ? { 'Content-Encoding': 'gzip' } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            // Read to the end either way, so the keep-alive socket is reused; keep only the start.
            if (size < MAX_ANSWER_BYTES) chunks.push(chunk);
            size += chunk.length;
          });
          res.on('end', () => settle(this.answered(res, Buffer.concat(chunks))));
          res.on('error', (err) => settle(new CollectorPostError(`${where}: answer broken off: ${err.message}`, true)));
          // 'close' without 'end': the connection dropped part-way through the answer.
          res.on('close', () => settle(new CollectorPostError(`${where}: connection closed before the answer was complete`, true)));
        },
      );
      const deadline = setTimeout(() => {
        settle(new CollectorPostError(`${where}: did not answer within ${timeoutMillis} ms`, true));
        req.destroy();
      }, timeoutMillis);
      deadline.unref();
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (isTlsRefusal(err.code)) {
          const message = `${where}: TLS failed (${err.code}: ${err.message}); check the CA, client certificate and key (otlp.tls, OTEL_EXPORTER_OTLP_CERTIFICATE, _CLIENT_CERTIFICATE, _CLIENT_KEY): spans are not sent again and are counted as lost`;
          this.reportOnce(`tls ${err.code}`, message);
          settle(new CollectorPostError(message, false, undefined, true));
        } else settle(new CollectorPostError(`${where}: ${err.message}`, true));
      });
      req.on('close', () => settle(new CollectorPostError(`${where}: connection closed before an answer`, true)));
      req.end(body);
    });
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    if (spans.length === 0) return resultCallback({ code: ExportResultCode.SUCCESS });
    const bodies: Buffer[] = [];
    try {
      const builders = new Map<Resource, OtlpBatchBuilder>();
      for (const span of spans) {
        let b = builders.get(span.resource);
        if (!b) builders.set(span.resource, (b = this.builder(span.resource, spans.length * this.typicalSpanBytes)));
        b.add(span);
      }
      for (const b of builders.values()) bodies.push(b.finish());
    } catch (err) {
      return resultCallback({ code: ExportResultCode.FAILED, error: err instanceof Error ? err : new Error(String(err)) });
    }
    Promise.all(bodies.map((b) => this.send(b))).then(
      () => resultCallback({ code: ExportResultCode.SUCCESS }),
      (error: Error) => resultCallback({ code: ExportResultCode.FAILED, error }),
    );
  }

  async forceFlush(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled([...this.inFlight]);
    this.agent.destroy();
  }
}
