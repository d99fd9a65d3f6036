import { request as httpRequest, Agent as HttpAgent } from 'node:http';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { CollectorPostError } from './collector-error';
import { ThriftBatchBuilder, encodeBatch, type JaegerProcess, type TagValue } from './jaeger-thrift';

/** The resource as a Jaeger Process: its service, and every other attribute as a process tag. */
function toProcess(resource: Resource | undefined): JaegerProcess {
  const tags: [string, TagValue][] = [];
  let serviceName = 'unknown_service';
  for (const [key, value] of Object.entries(resource?.attributes ?? {})) {
    if (key === 'service.name') serviceName = String(value);
    else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') tags.push([key, value]);
  }
  return { serviceName, tags };
}

/** Settings of {@link JaegerHttpExporter}. @internal */
export interface JaegerHttpConfig {
  endpoint: string;
  username?: string;
  password?: string;
  timeoutMillis?: number;
  /** Largest request body before a batch is split. Default 8 MiB. */
  maxBodyBytes?: number;
}

const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;

/** One encoded request body and the number of spans in it. @internal */
export interface JaegerBody {
  body: Buffer;
  spans: number;
}


/**
 * Exports to the Jaeger collector over HTTP (Thrift binary, `POST /api/traces`), one request per
 * export batch, encoded by {@link encodeBatch}.
 *
 * Why not the HTTP path of `@opentelemetry/exporter-jaeger`: at Kafka volumes it could not keep up.
 * On the sustained benchmark (12,000 msg/s, two spans per message, bench/e2e.ts --sustained) it
 * exported 29% of the spans and the processor's queue dropped the rest: its sender posts every 100
 * spans and waits for each answer, copies the whole resource onto every span, and encodes through a
 * generic Thrift interpreter with every optional tag field set. Same collector API, same span
 * mapping (tested against the exporter's own encoding), far less work per span.
 * @internal
 */
export class JaegerHttpExporter implements SpanExporter {
  private readonly url: URL;
  private readonly agent: HttpAgent;
  private readonly processes = new WeakMap<Resource, JaegerProcess>();
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly config: JaegerHttpConfig) {
    this.url = new URL(config.endpoint);
    this.agent = this.url.protocol === 'https:' ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
  }

  /** Encoded bytes of a typical Kafka span in Thrift. */
  readonly typicalSpanBytes = 800;

  /** A Thrift batch builder for spans of `resource` (the encoding processor's side of this exporter). */
  builder(resource: Resource, initialBytes: number): ThriftBatchBuilder {
    return new ThriftBatchBuilder(this.process(resource), initialBytes);
  }

  /** The Jaeger Process of a resource, computed once per resource. */
  process(resource: Resource): JaegerProcess {
    let p = this.processes.get(resource);
    if (!p) this.processes.set(resource, (p = toProcess(resource)));
    return p;
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    if (this.stopped) return resultCallback({ code: ExportResultCode.FAILED, error: new Error('Jaeger exporter is shut down') });
    if (spans.length === 0) return resultCallback({ code: ExportResultCode.SUCCESS });
    let bodies: JaegerBody[];
    try {
      bodies = this.encodeBodies(spans);
    } catch (err) {
      return resultCallback({ code: ExportResultCode.FAILED, error: err instanceof Error ? err : new Error(String(err)) });
    }
    Promise.all(bodies.map((b) => this.send(b.body))).then(
      () => resultCallback({ code: ExportResultCode.SUCCESS }),
      (error: Error) => resultCallback({ code: ExportResultCode.FAILED, error }),
    );
  }

  /**
   * The request bodies for `spans`, each with the number of spans it carries: one per resource (a
   * shared exporter may see several), split further where a body would pass the size cap. Throws
   * what the encoder throws.
   */
  encodeBodies(spans: readonly ReadableSpan[]): JaegerBody[] {
    const groups = new Map<Resource, ReadableSpan[]>();
    for (const span of spans) {
      const group = groups.get(span.resource);
      if (group) group.push(span);
      else groups.set(span.resource, [span]);
    }
    const out: JaegerBody[] = [];
    for (const [resource, group] of groups) this.encode(this.process(resource), group, out);
    return out;
  }

  /**
   * Posts one encoded body; rejects with an error whose `retryable` says whether sending the same
   * body again may succeed (false for a 4xx answer other than 408 and 429: the collector refused
   * this body and will again).
   */
  send(body: Buffer): Promise<void> {
    if (this.stopped) return Promise.reject(new Error('Jaeger exporter is shut down'));
    const sent = this.post(body);
    this.inFlight.add(sent);
    const untrack = (): void => void this.inFlight.delete(sent);
    sent.then(untrack, untrack);
    return sent;
  }

  /**
   * Encodes `spans` into `out`, halving a batch whose body would pass the size cap: the collector
   * refuses oversized requests (Jaeger's default limit is 20 MiB), and one span with huge attributes
   * must not take 2,047 others down with it.
   */
  private encode(process: JaegerProcess, spans: ReadableSpan[], out: JaegerBody[]): void {
    const body = encodeBatch(process, spans);
    if (body.length <= (this.config.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES) || spans.length === 1) {
      out.push({ body, spans: spans.length });
      return;
    }
    const half = Math.ceil(spans.length / 2);
    this.encode(process, spans.slice(0, half), out);
    this.encode(process, spans.slice(half), out);
  }

  /**
   * Posts one body. Settles exactly once, whichever way the exchange ends: a complete answer, a
   * request or response error, a connection closed or reset mid-answer, or no complete answer
   * within `timeoutMillis` (a deadline for the whole exchange, not only for an idle socket).
   */
  private post(body: Buffer): Promise<void> {
    const { username, password, timeoutMillis = 10_000 } = this.config;
    const request = this.url.protocol === 'https:' ? httpsRequest : httpRequest;
    const where = `Jaeger collector ${this.url.href}`;
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (failure?: string, retryable = true): void => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        if (failure === undefined) resolve();
        else reject(new CollectorPostError(`${where}: ${failure}`, retryable));
      };
      const req = request(
        this.url,
        {
          method: 'POST',
          agent: this.agent,
          auth: username && password ? `${username}:${password}` : undefined,
          headers: { 'Content-Type': 'application/x-thrift', 'Content-Length': body.length },
        },
        (res) => {
          res.resume(); // drain, so the keep-alive socket is reused
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            const refused = status >= 400 && status < 500 && status !== 408 && status !== 429;
            settle(status >= 200 && status < 300 ? undefined : `answered HTTP ${status}`, !refused);
          });
          res.on('error', (err) => settle(`answer broken off: ${err.message}`));
          // 'close' without 'end': the connection dropped part-way through the answer.
          res.on('close', () => settle('connection closed before the answer was complete'));
        },
      );
      const deadline = setTimeout(() => {
        settle(`did not answer within ${timeoutMillis} ms`);
        req.destroy();
      }, timeoutMillis);
      deadline.unref();
      req.on('error', (err) => settle(err.message));
      req.on('close', () => settle('connection closed before an answer'));
      req.end(body);
    });
  }

  async forceFlush(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    await this.forceFlush();
    this.agent.destroy();
  }
}

type JaegerExporterModule = typeof import('@opentelemetry/exporter-jaeger');

/** What the agent path says when its optional peer dependency is missing. @internal */
export const MISSING_JAEGER_EXPORTER =
  'startTracing: the Jaeger agent (UDP) path needs @opentelemetry/exporter-jaeger, an optional peer dependency ' +
  'that is not installed: `npm install @opentelemetry/exporter-jaeger@^2`, or send to the collector over HTTP ' +
  '(jaeger.endpoint / OTEL_EXPORTER_JAEGER_ENDPOINT), which needs nothing extra';

/**
 * Loads `@opentelemetry/exporter-jaeger` on first use: it brings jaeger-client, thriftrw and
 * opentracing, which only the agent path needs, so it is an optional peer dependency.
 */
function loadJaegerExporter(): JaegerExporterModule['JaegerExporter'] {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('@opentelemetry/exporter-jaeger') as JaegerExporterModule).JaegerExporter;
  } catch (err) {
    const missing = (err as { code?: unknown }).code === 'MODULE_NOT_FOUND' && String((err as Error).message).includes("'@opentelemetry/exporter-jaeger'");
    throw missing ? new Error(MISSING_JAEGER_EXPORTER, { cause: err }) : err;
  }
}

/**
 * The Jaeger agent path (Thrift over UDP) stays with `@opentelemetry/exporter-jaeger`: UDP packets
 * cap a batch at 64 KB anyway, so it is not the path for volume.
 * @internal
 */
export function jaegerAgentExporter(host: string | undefined, port: number | undefined, resource: Resource | undefined): SpanExporter {
  const { tags } = toProcess(resource);
  const JaegerExporter = loadJaegerExporter();
  return new JaegerExporter({ host, port, tags: tags.map(([key, value]) => ({ key, value })) });
}
