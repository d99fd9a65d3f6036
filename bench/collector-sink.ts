// A collector stand-in on loopback that reads each request body and throws it away, counting the spans
// it carried: Jaeger Thrift (POST /api/traces) and OTLP/HTTP, protobuf or JSON, gzip or not (POST /v1/traces). With it the
// benchmark's application process is measured without the collector's own ingestion competing for
// the same cores. It can be stopped and started again (connections refused meanwhile) to stage an outage.
import { createServer, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';

// Thrift binary type ids.
const T_BOOL = 2, T_BYTE = 3, T_DOUBLE = 4, T_I16 = 6, T_I32 = 8, T_I64 = 10, T_STRING = 11, T_STRUCT = 12, T_MAP = 13, T_SET = 14, T_LIST = 15;
const FIXED: Record<number, number> = { [T_BOOL]: 1, [T_BYTE]: 1, [T_DOUBLE]: 8, [T_I16]: 2, [T_I32]: 4, [T_I64]: 8 };

/** Offset just past one value of `type` at `at`. */
function skip(b: Buffer, at: number, type: number): number {
  const fixed = FIXED[type];
  if (fixed !== undefined) return at + fixed;
  if (type === T_STRING) return at + 4 + b.readInt32BE(at);
  if (type === T_STRUCT) {
    for (;;) {
      const t = b[at++] as number;
      if (t === 0) return at;
      at = skip(b, at + 2, t);
    }
  }
  if (type === T_LIST || type === T_SET) {
    const elem = b[at] as number;
    const n = b.readInt32BE(at + 1);
    at += 5;
    for (let i = 0; i < n; i++) at = skip(b, at, elem);
    return at;
  }
  if (type === T_MAP) {
    const [k, v] = [b[at] as number, b[at + 1] as number];
    const n = b.readInt32BE(at + 2);
    at += 6;
    for (let i = 0; i < n; i++) at = skip(b, skip(b, at, k), v);
    return at;
  }
  throw new Error(`unknown Thrift type ${type}`);
}

/** Spans in a Jaeger Thrift `Batch` (field 1 the process, field 2 the list of spans). */
export function thriftBatchSpans(b: Buffer): number {
  let at = 0;
  for (;;) {
    const type = b[at] as number;
    if (type === 0 || at >= b.length) return 0;
    const id = b.readInt16BE(at + 1);
    if (id === 2 && type === T_LIST) return b.readInt32BE(at + 4);
    at = skip(b, at + 3, type);
  }
}

interface OtlpJson {
  resourceSpans?: { scopeSpans?: { spans?: unknown[] }[] }[];
}

/** Spans in an OTLP/HTTP JSON export request. */
export function otlpJsonSpans(b: Buffer): number {
  const body = JSON.parse(b.toString('utf8')) as OtlpJson;
  let n = 0;
  for (const rs of body.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) n += ss.spans?.length ?? 0;
  return n;
}

/** A protobuf varint at `at`: its value and the offset past it. */
function varint(b: Buffer, at: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (;;) {
    const byte = b[at++] as number;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return [value, at];
    scale *= 128;
  }
}

/** Calls `each(field, start, end)` for every length-delimited field of the message in `b[from, to)`, skipping the rest. */
function fields(b: Buffer, from: number, to: number, each: (field: number, start: number, end: number) => void): void {
  let at = from;
  while (at < to) {
    const [key, next] = varint(b, at);
    at = next;
    const wire = key & 7;
    if (wire === 0) at = varint(b, at)[1];
    else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else if (wire === 2) {
      const [length, start] = varint(b, at);
      each(key >>> 3, start, start + length);
      at = start + length;
    } else throw new Error(`wire type ${wire}`);
  }
}

/** Spans in an OTLP `ExportTraceServiceRequest` in protobuf (resource_spans 1 → scope_spans 2 → spans 2). */
export function otlpProtobufSpans(b: Buffer): number {
  let n = 0;
  fields(b, 0, b.length, (f, s, e) => {
    if (f === 1) fields(b, s, e, (f2, s2, e2) => {
      if (f2 === 2) fields(b, s2, e2, (f3) => void (f3 === 2 && n++));
    });
  });
  return n;
}

/** The counting, discarding collector. */
export class CollectorSink {
  spans = 0;
  requests = 0;
  bytes = 0;
  errors = 0;
  private server: Server | undefined;
  port = 0;

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        this.requests++;
        this.bytes += raw.length;
        const otlp = req.url?.startsWith('/v1/traces') ?? false;
        const protobuf = req.headers['content-type'] === 'application/x-protobuf';
        try {
          const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
          this.spans += !otlp ? thriftBatchSpans(body) : protobuf ? otlpProtobufSpans(body) : otlpJsonSpans(body);
        } catch {
          this.errors++;
        }
        // OTLP/HTTP answers in the request's encoding: an empty ExportTraceServiceResponse is an empty protobuf body.
        if (protobuf) res.writeHead(200, { 'Content-Type': 'application/x-protobuf' }).end();
        else res.writeHead(otlp ? 200 : 202, { 'Content-Type': 'application/json' }).end('{}');
      });
    });
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((r) => server.listen(this.port, '127.0.0.1', r));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Stops listening and drops open connections: exporters see refused connections until `start()`. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }

  get jaegerEndpoint(): string {
    return `http://127.0.0.1:${this.port}/api/traces`;
  }

  get otlpEndpoint(): string {
    return `http://127.0.0.1:${this.port}/v1/traces`;
  }
}
