import { parseV3Error, parseV3Traces } from './otlp-json';
import { tracesFromOtlp } from './otlp-to-jaeger';
import { JaegerQueryError, queryConnection, type QueryConnection, type QueryResponse } from './query-http';
import type { JaegerQueryApi, JaegerQueryOptions } from './query-options';
import type { JaegerTag, JaegerTrace } from './types';

export { JaegerQueryError } from './query-http';
export type { JaegerQueryApi, JaegerQueryOptions } from './query-options';

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
  /** Latest span start to search up to; default now. */
  end?: Date;
  /** Most traces returned. Default 20. */
  limit?: number;
  /** How far back from `end` to search when no start is given, such as `1h`, `30m` or `2d`. Default `48h`, as Jaeger's own search. */
  lookback?: string;
}

interface Envelope<T> {
  data: T | null;
  errors?: { code?: number; msg?: string }[] | null;
}

const LOOKBACK_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const DEFAULT_LOOKBACK_MS = 48 * 3_600_000;

/** A lookback such as `1h` in milliseconds; `TypeError` when it is not one. */
function lookbackMs(text: string | undefined): number {
  if (text === undefined) return DEFAULT_LOOKBACK_MS;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$/.exec(text);
  if (!m) throw new TypeError(`JaegerQuery: lookback "${text}" is not a number with a unit (ms, s, m, h, d, w), such as 1h`);
  return Number(m[1]) * (LOOKBACK_UNITS[m[2] as string] as number);
}

/** Whether a 404 body is Jaeger's own legacy "trace not found" envelope. */
function isLegacyNotFound(text: string): boolean {
  try {
    const body = JSON.parse(text) as Envelope<unknown> | null;
    return Array.isArray(body?.errors) && body.errors.some((e) => e?.code === 404);
  } catch {
    return false;
  }
}

function parseJson(res: QueryResponse, url: string): unknown {
  try {
    return JSON.parse(res.text);
  } catch {
    throw new JaegerQueryError(`Jaeger query API sent invalid JSON for ${url}: ${res.text.slice(0, 200)}`, url, res.status);
  }
}

/**
 * Whether a trace matches a search the way Jaeger's indexed stores match it (and no stricter, so the
 * check never drops what the server chose): a span of the service, a span of the service with the
 * operation's name, and each tag on some span of the service, as a span tag, process tag or log field.
 */
function matchesSearch(trace: JaegerTrace, query: FindTracesQuery): boolean {
  const spans = trace.spans.filter((s) => trace.processes[s.processID]?.serviceName === query.service);
  if (spans.length === 0) return false;
  if (query.operation && !spans.some((s) => s.operationName === query.operation)) return false;
  const has = (tags: JaegerTag[] | null | undefined, key: string, value: string) => (tags ?? []).some((t) => t.key === key && String(t.value) === value);
  return Object.entries(query.tags ?? {}).every(([k, v]) =>
    spans.some((s) => has(s.tags, k, v) || has(trace.processes[s.processID]?.tags, k, v) || (s.logs ?? []).some((l) => has(l.fields, k, v))),
  );
}

/**
 * A typed client of Jaeger's HTTP query API (port 16686, the one behind the Jaeger UI), over http or
 * https. It calls `/api/v3` and turns its OTLP JSON into the legacy JSON model ({@link JaegerTrace}),
 * so the rest of the harness reads every Jaeger the same way; where `/api/v3` is missing it calls the
 * legacy endpoints (see {@link JaegerQueryApi}).
 *
 * Jaeger versions: `/api/v3` answers OTLP JSON since Jaeger 1.50 (ids in base64 until 1.52, hex since
 * 1.53; both are read) and exists in every 2.x; its HTTP search filters on tags (`query.attributes`)
 * only since 2.19, so the client checks tags itself too. The legacy search, services and operations
 * endpoints are gone from Jaeger after 2.20 (jaegertracing/jaeger#9260).
 *
 * @example
 * const jaeger = new JaegerQuery('http://127.0.0.1:16686');
 * const trace = await jaeger.getTrace(traceId);
 * @example
 * // behind a proxy with a private CA and a bearer token
 * const jaeger = new JaegerQuery('https://jaeger.internal', { token: process.env.JAEGER_TOKEN, caFile: '/etc/ssl/internal-ca.pem' });
 */
export class JaegerQuery {
  /** The base URL without a trailing slash (and without any user or password it was given). */
  readonly baseUrl: string;
  /** The API this client was told to call; for `'auto'`, {@link JaegerQuery.resolveApi} says which one it calls. */
  readonly api: JaegerQueryApi;
  private readonly connection: QueryConnection;
  private resolved: Promise<'v3' | 'legacy'> | undefined;

  /** Throws `TypeError` for a URL that is not http(s), contradicting credentials, or unreadable certificate files. */
  constructor(baseUrl: string, options: JaegerQueryOptions = {}) {
    this.connection = queryConnection(baseUrl, options);
    this.baseUrl = this.connection.baseUrl;
    this.api = options.api ?? 'auto';
    if (!['auto', 'v3', 'legacy'].includes(this.api)) throw new TypeError(`JaegerQuery: api must be 'auto', 'v3' or 'legacy', got ${String(this.api)}`);
    if (this.api !== 'auto') this.resolved = Promise.resolve(this.api);
  }

  /**
   * The API the client calls: the one it was told, or for `'auto'` the answer of one request to
   * `/api/v3/services`, asked once and remembered (a failed request is asked again next time).
   */
  resolveApi(): Promise<'v3' | 'legacy'> {
    this.resolved ??= this.probe().catch((err: unknown) => {
      this.resolved = undefined;
      throw err;
    });
    return this.resolved;
  }

  /** The trace with this id, or `undefined` when Jaeger does not know it (yet). */
  async getTrace(traceId: string): Promise<JaegerTrace | undefined> {
    const id = encodeURIComponent(traceId);
    if ((await this.resolveApi()) === 'legacy') {
      const data = await this.legacyGet<JaegerTrace[]>(`/api/traces/${id}`, true);
      return data?.[0];
    }
    const traces = await this.v3Traces(`/api/v3/traces/${id}`);
    const want = traceId.toLowerCase().replace(/^0+/, '');
    return traces?.find((t) => t.traceID.replace(/^0+/, '') === want) ?? traces?.[0];
  }

  /**
   * Traces of a service, optionally narrowed by operation, tags and time window, in the order Jaeger
   * returns them. The window is `start`…`end`, or the `lookback` (default 48 h) before `end` (default now).
   */
  async findTraces(query: FindTracesQuery): Promise<JaegerTrace[]> {
    const limit = query.limit ?? 20;
    const end = query.end ?? new Date();
    const start = query.start ?? new Date(end.getTime() - lookbackMs(query.lookback));
    if ((await this.resolveApi()) === 'legacy') {
      const params = new URLSearchParams({ service: query.service, limit: String(limit) });
      if (query.operation) params.set('operation', query.operation);
      if (query.tags) params.set('tags', JSON.stringify(query.tags));
      params.set('start', String(start.getTime() * 1000));
      params.set('end', String(end.getTime() * 1000));
      return (await this.legacyGet<JaegerTrace[]>(`/api/traces?${params.toString()}`, false)) ?? [];
    }
    const tagged = query.tags !== undefined && Object.keys(query.tags).length > 0;
    // Jaeger before 2.19 ignores query.attributes on HTTP: search deeper and keep the matching traces.
    const depth = String(tagged ? Math.max(limit * 10, 100) : limit);
    const params = new URLSearchParams();
    // Each parameter under its current name (camelCase, Jaeger ≥ 2.19) and its older one (snake_case,
    // accepted since the v3 HTTP API began): whichever name the server reads, the other is ignored.
    const both = (camel: string, snake: string, value: string) => {
      params.set(camel, value);
      params.set(snake, value);
    };
    both('query.serviceName', 'query.service_name', query.service);
    if (query.operation) both('query.operationName', 'query.operation_name', query.operation);
    if (tagged) params.set('query.attributes', JSON.stringify(query.tags));
    both('query.startTimeMin', 'query.start_time_min', start.toISOString());
    both('query.startTimeMax', 'query.start_time_max', end.toISOString());
    both('query.searchDepth', 'query.num_traces', depth);
    const traces = (await this.v3Traces(`/api/v3/traces?${params.toString()}`)) ?? [];
    return traces.filter((t) => matchesSearch(t, query)).slice(0, limit);
  }

  /** Names of the services Jaeger has seen. */
  async getServices(): Promise<string[]> {
    if ((await this.resolveApi()) === 'legacy') return (await this.legacyGet<string[]>('/api/services', false)) ?? [];
    const body = await this.v3Json<{ services?: string[] | null }>('/api/v3/services');
    return body.services ?? [];
  }

  /** Operation (span) names of one service, each once. */
  async getOperations(service: string): Promise<string[]> {
    if ((await this.resolveApi()) === 'legacy') {
      return (await this.legacyGet<string[]>(`/api/services/${encodeURIComponent(service)}/operations`, false)) ?? [];
    }
    const body = await this.v3Json<{ operations?: { name?: string }[] | null }>(`/api/v3/operations?service=${encodeURIComponent(service)}`);
    // v3 lists an operation once per span kind; the legacy endpoint listed names.
    return [...new Set((body.operations ?? []).map((o) => o.name ?? ''))];
  }

  private async probe(): Promise<'v3' | 'legacy'> {
    const url = `${this.baseUrl}/api/v3/services`;
    const res = await this.connection.get('/api/v3/services');
    if (res.status === 404) return 'legacy';
    if (res.status !== 200) throw this.statusError(res, url);
    try {
      const body: unknown = JSON.parse(res.text);
      // A JSON object without the legacy `data` envelope is the v3 answer ({"services": [...]} or {}).
      if (typeof body === 'object' && body !== null && !Array.isArray(body) && !('data' in body)) return 'v3';
    } catch {
      // an HTML page: an older Jaeger's UI answering every path
    }
    return 'legacy';
  }

  private statusError(res: QueryResponse, url: string): JaegerQueryError {
    const hint =
      res.status === 401 || res.status === 403
        ? ' (give credentials: the `token` or `username`/`password` option, JAEGER_QUERY_TOKEN or JAEGER_QUERY_USERNAME/JAEGER_QUERY_PASSWORD for the CLI)'
        : '';
    const v3 = parseV3Error(res.text);
    const detail = v3?.message ?? res.text.slice(0, 200);
    return new JaegerQueryError(`Jaeger query API answered ${res.status} for ${url}: ${detail.trim()}${hint}`, url, res.status);
  }

  private notJaeger(url: string, status: number): JaegerQueryError {
    return new JaegerQueryError(
      `${url} answered ${status}, and not as Jaeger's query API does: is ${this.baseUrl} the Jaeger query/UI address (port 16686 by default)?`,
      url,
      status,
    );
  }

  /** The traces of a v3 trace endpoint, or `undefined` for Jaeger's 404 (no such trace, no trace found). */
  private async v3Traces(path: string): Promise<JaegerTrace[] | undefined> {
    const url = `${this.baseUrl}${path}`;
    const res = await this.connection.get(path);
    if (res.status === 404) {
      if (parseV3Error(res.text)) return undefined;
      throw this.notJaeger(url, 404);
    }
    if (res.status !== 200) throw this.statusError(res, url);
    let answer;
    try {
      answer = parseV3Traces(res.text);
    } catch (err) {
      throw new JaegerQueryError(`Jaeger query API sent a body that is not OTLP JSON for ${url} (${(err as Error).message}): ${res.text.slice(0, 200)}`, url, res.status);
    }
    if (answer.error) {
      const code = answer.error.httpCode ?? answer.error.code;
      if (code === 404 || code === 5 /* gRPC NOT_FOUND */) return undefined;
      throw new JaegerQueryError(`Jaeger query API reported an error for ${url}: ${answer.error.message ?? JSON.stringify(answer.error)}`, url, res.status);
    }
    const traces = tracesFromOtlp(answer.resourceSpans);
    return traces.length > 0 ? traces : undefined;
  }

  private async v3Json<T>(path: string): Promise<T> {
    const url = `${this.baseUrl}${path}`;
    const res = await this.connection.get(path);
    if (res.status === 404 && !parseV3Error(res.text)) throw this.notJaeger(url, 404);
    if (res.status !== 200) throw this.statusError(res, url);
    const body = parseJson(res, url);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new JaegerQueryError(`Jaeger query API sent an unexpected body for ${url}: ${res.text.slice(0, 200)}`, url, res.status);
    }
    return body as T;
  }

  private async legacyGet<T>(path: string, notFoundIsEmpty: boolean): Promise<T | undefined> {
    const url = `${this.baseUrl}${path}`;
    const res = await this.connection.get(path);
    if (res.status === 404 && notFoundIsEmpty) {
      // Jaeger says "not found" in its JSON envelope; any other 404 means the URL is not its query API.
      if (isLegacyNotFound(res.text)) return undefined;
      throw this.notJaeger(url, 404);
    }
    if (res.status < 200 || res.status >= 300) throw this.statusError(res, url);
    const body = parseJson(res, url) as Envelope<T>;
    if (body.errors && body.errors.length > 0) {
      const first = body.errors[0];
      if (notFoundIsEmpty && first?.code === 404) return undefined;
      throw new JaegerQueryError(`Jaeger query API reported an error for ${url}: ${first?.msg ?? JSON.stringify(first)}`, url, res.status);
    }
    return body.data ?? undefined;
  }
}
