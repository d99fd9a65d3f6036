// A stand-in for Jaeger's query API serving fixed traces on /api/v3 (OTLP JSON, as Jaeger 2.x writes
// it), on the legacy endpoints, or both: to test the client's choice of API, and that both paths give
// the same answers.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JaegerTag, JaegerTrace } from '../../../src/harness/index';
import type { OtlpKeyValue, OtlpResourceSpans, OtlpSpan } from '../../../src/harness/otlp-json';

const KINDS: Record<string, number> = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 };
/** Tags the converter makes from OTLP fields rather than attributes. */
const DERIVED = new Set(['span.kind', 'otel.status_code', 'otel.status_description', 'error', 'w3c.tracestate', 'otel.scope.name', 'otel.scope.version']);

function attribute(tag: JaegerTag): OtlpKeyValue {
  const v = tag.value;
  if (tag.type === 'bool' || typeof v === 'boolean') return { key: tag.key, value: { boolValue: Boolean(v) } };
  if (tag.type === 'int64') return { key: tag.key, value: { intValue: String(v) } };
  if (tag.type === 'float64' || typeof v === 'number') return { key: tag.key, value: { doubleValue: Number(v) } };
  return { key: tag.key, value: { stringValue: String(v) } };
}

function nanos(us: number): string {
  return (BigInt(us) * 1000n).toString();
}

/** A legacy-model trace as Jaeger's /api/v3 would send it: one resource per process, spans in OTLP JSON. */
export function toOtlp(trace: JaegerTrace): OtlpResourceSpans[] {
  return Object.entries(trace.processes).map(([pid, proc]) => ({
    resource: { attributes: [{ key: 'service.name', value: { stringValue: proc.serviceName } }, ...(proc.tags ?? []).map(attribute)] },
    scopeSpans: [
      {
        scope: { name: 'kafkajs-tracing', version: '0.1.0' },
        spans: trace.spans
          .filter((s) => s.processID === pid)
          .map((s): OtlpSpan => {
            const tags = s.tags ?? [];
            const kind = tags.find((t) => t.key === 'span.kind')?.value;
            const error = tags.some((t) => (t.key === 'error' && t.value === true) || (t.key === 'otel.status_code' && t.value === 'ERROR'));
            const parent = s.references?.find((r) => r.refType === 'CHILD_OF');
            return {
              traceId: trace.traceID.padStart(32, '0'),
              spanId: s.spanID,
              ...(parent ? { parentSpanId: parent.spanID } : {}),
              name: s.operationName,
              kind: KINDS[String(kind)] ?? 0,
              startTimeUnixNano: nanos(s.startTime),
              endTimeUnixNano: nanos(s.startTime + s.duration),
              attributes: tags.filter((t) => !DERIVED.has(t.key)).map(attribute),
              links: (s.references ?? []).filter((r) => r.refType === 'FOLLOWS_FROM').map((r) => ({ traceId: r.traceID.padStart(32, '0'), spanId: r.spanID })),
              status: error ? { code: 2 } : {},
            };
          }),
      },
    ],
  }));
}

/** What the stand-in serves. */
export interface FakeJaegerOptions {
  /** Traces it knows. */
  traces: () => JaegerTrace[];
  /** Serve /api/v3 (default true). */
  v3?: boolean;
  /** Serve the legacy search, services and operations endpoints (default true; Jaeger after 2.20 does not). */
  legacySearch?: boolean;
}

/** A running stand-in: its URL and every request path it got. */
export interface FakeJaeger {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

function json(res: import('node:http').ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Jaeger 2.x writes v3 errors with http.Error: a JSON body under text/plain. */
function v3Error(res: import('node:http').ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(`${JSON.stringify({ error: { httpCode: status, message } })}\n`);
}

function notFound(res: import('node:http').ServerResponse): void {
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
  res.end('404 page not found\n');
}

export async function startFakeJaeger(options: FakeJaegerOptions): Promise<FakeJaeger> {
  const v3 = options.v3 ?? true;
  const legacySearch = options.legacySearch ?? true;
  const requests: string[] = [];
  const services = () => [...new Set(options.traces().flatMap((t) => Object.values(t.processes).map((p) => p.serviceName)))];
  const opsOf = (service: string) =>
    ofService(service).flatMap((t) => t.spans.filter((s) => t.processes[s.processID]?.serviceName === service).map((s) => s.operationName));
  const ofService = (service: string) => options.traces().filter((t) => Object.values(t.processes).some((p) => p.serviceName === service));
  const byId = (id: string) => options.traces().find((t) => t.traceID.replace(/^0+/, '') === id.toLowerCase().replace(/^0+/, ''));
  const handle = (req: IncomingMessage, res: import('node:http').ServerResponse) => {
    requests.push(req.url ?? '');
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    if (path.startsWith('/api/v3/')) {
      if (!v3) return notFound(res);
      if (path === '/api/v3/services') return json(res, 200, { services: services() });
      if (path === '/api/v3/operations') {
        // Jaeger lists a name once per span kind it was seen with.
        const names = opsOf(url.searchParams.get('service') ?? '');
        return json(res, 200, { operations: names.flatMap((name) => [{ name, spanKind: 'producer' }, { name, spanKind: 'internal' }]) });
      }
      if (path.startsWith('/api/v3/traces/')) {
        const trace = byId(decodeURIComponent(path.slice('/api/v3/traces/'.length)));
        return trace ? json(res, 200, { result: { resourceSpans: toOtlp(trace) } }) : v3Error(res, 404, 'No traces found');
      }
      if (path === '/api/v3/traces') {
        const service = url.searchParams.get('query.serviceName') ?? url.searchParams.get('query.service_name');
        if (!url.searchParams.get('query.startTimeMin') || !url.searchParams.get('query.startTimeMax')) return v3Error(res, 400, 'query.startTimeMin and query.startTimeMax are required');
        const found = ofService(service ?? '');
        return found.length ? json(res, 200, { result: { resourceSpans: found.flatMap(toOtlp) } }) : v3Error(res, 404, 'No traces found');
      }
      return notFound(res);
    }
    if (path.startsWith('/api/traces/')) {
      const trace = byId(decodeURIComponent(path.slice('/api/traces/'.length)));
      return trace ? json(res, 200, { data: [trace], errors: null }) : json(res, 404, { data: null, errors: [{ code: 404, msg: 'trace not found' }] });
    }
    if (!legacySearch) return notFound(res);
    if (path === '/api/traces') return json(res, 200, { data: ofService(url.searchParams.get('service') ?? ''), errors: null });
    if (path === '/api/services') return json(res, 200, { data: services(), errors: null });
    const ops = /^\/api\/services\/([^/]+)\/operations$/.exec(path);
    if (ops) {
      return json(res, 200, { data: [...new Set(opsOf(decodeURIComponent(ops[1] as string)))], errors: null });
    }
    return notFound(res);
  };
  const server: Server = createServer(handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
