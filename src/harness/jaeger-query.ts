import type { JaegerTrace } from './types';

/** Options of {@link JaegerQuery}. */
export interface JaegerQueryOptions {
  /** Per-request timeout in milliseconds. Default 5000. */
  timeoutMs?: number;
}

/** Search parameters of {@link JaegerQuery.findTraces}. */
export interface FindTracesQuery {
  /** Service whose traces to search. */
  service: string;
  /** Only traces with a span of this name. */
  operation?: string;
  /** Span tags every matching trace has, e.g. `{ 'messaging.destination.name': 'orders' }`. */
  tags?: Record<string, string>;
  /** Earliest span start to search from. */
  start?: Date;
  /** Latest span start to search up to. */
  end?: Date;
  /** Most traces returned. Default 20. */
  limit?: number;
  /** Lookback such as `1h` when no start is given. */
  lookback?: string;
}

interface Envelope<T> {
  data: T | null;
  errors?: { code?: number; msg?: string }[] | null;
}

/** Whether a 404 body is Jaeger's own "trace not found" envelope. */
function isJaegerNotFound(text: string): boolean {
  try {
    const body = JSON.parse(text) as Envelope<unknown> | null;
    return Array.isArray(body?.errors) && body.errors.some((e) => e?.code === 404);
  } catch {
    return false;
  }
}

/** An error of the query API that names the URL it came from. */
export class JaegerQueryError extends Error {
  constructor(
    message: string,
    /** The URL requested. */
    readonly url: string,
    /** The HTTP status, when there was an answer. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'JaegerQueryError';
  }
}

/**
 * A typed client of Jaeger's HTTP query API (the one behind the Jaeger UI, port 16686).
 *
 * @example
 * const jaeger = new JaegerQuery('http://127.0.0.1:16686');
 * const trace = await jaeger.getTrace(traceId);
 */
export class JaegerQuery {
  /** The base URL without a trailing slash. */
  readonly baseUrl: string;
  private readonly timeoutMs: number;

  constructor(baseUrl: string, options: JaegerQueryOptions = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 5000;
  }

  /** The trace with this id, or `undefined` when Jaeger does not know it (yet). */
  async getTrace(traceId: string): Promise<JaegerTrace | undefined> {
    const data = await this.get<JaegerTrace[]>(`/api/traces/${encodeURIComponent(traceId)}`, true);
    return data?.[0];
  }

  /** Traces of a service, optionally narrowed by operation, tags and time window; newest first as Jaeger sorts them. */
  async findTraces(query: FindTracesQuery): Promise<JaegerTrace[]> {
    const params = new URLSearchParams({ service: query.service, limit: String(query.limit ?? 20) });
    if (query.operation) params.set('operation', query.operation);
    if (query.tags) params.set('tags', JSON.stringify(query.tags));
    if (query.start) params.set('start', String(query.start.getTime() * 1000));
    if (query.end) params.set('end', String(query.end.getTime() * 1000));
    if (query.lookback) params.set('lookback', query.lookback);
    return (await this.get<JaegerTrace[]>(`/api/traces?${params.toString()}`, false)) ?? [];
  }

  /** Names of the services Jaeger has seen. */
  async getServices(): Promise<string[]> {
    return (await this.get<string[]>('/api/services', false)) ?? [];
  }

  /** Operation (span) names of one service. */
  async getOperations(service: string): Promise<string[]> {
    return (await this.get<string[]>(`/api/services/${encodeURIComponent(service)}/operations`, false)) ?? [];
  }

  private async get<T>(path: string, notFoundIsEmpty: boolean): Promise<T | undefined> {
    const url = `${this.baseUrl}${path}`;
    let res: Response;
    try {
      res = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs), headers: { accept: 'application/json' } });
    } catch (err) {
      const why = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
      throw new JaegerQueryError(`Jaeger query API unreachable at ${url}: ${why}`, url);
    }
    const text = await res.text();
    if (res.status === 404 && notFoundIsEmpty) {
      // Jaeger says "not found" in its JSON envelope; any other 404 means the URL is not its query API.
      if (isJaegerNotFound(text)) return undefined;
      throw new JaegerQueryError(
        `${url} answered 404, and not as Jaeger's query API does: is ${this.baseUrl} the Jaeger query/UI address (port 16686 by default)?`,
        url,
        404,
      );
    }
    if (!res.ok) throw new JaegerQueryError(`Jaeger query API answered ${res.status} for ${url}: ${text.slice(0, 200)}`, url, res.status);
    let body: Envelope<T>;
    try {
      body = JSON.parse(text) as Envelope<T>;
    } catch {
      throw new JaegerQueryError(`Jaeger query API sent invalid JSON for ${url}: ${text.slice(0, 200)}`, url, res.status);
    }
    if (body.errors && body.errors.length > 0) {
      const first = body.errors[0];
      if (notFoundIsEmpty && first?.code === 404) return undefined;
      throw new JaegerQueryError(`Jaeger query API reported an error for ${url}: ${first?.msg ?? JSON.stringify(first)}`, url, res.status);
    }
    return body.data ?? undefined;
  }
}
