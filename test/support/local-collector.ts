// A stand-in for a collector's HTTP endpoint (Jaeger's Thrift one, or OTLP/HTTP), on 127.0.0.1,
// over http or https (a server certificate, and optionally a client CA for mutual TLS): it can be
// down (port closed), refuse (any status, with headers and a body), answer slowly, or accept; it
// keeps every body it accepts and the headers of every request.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

/** Server-side TLS: the server's key and certificate, and the CA its clients' certificates must chain to (mutual TLS). */
export interface CollectorTls {
  key: Buffer;
  cert: Buffer;
  /** When set, a client certificate signed by this CA is required. */
  clientCa?: Buffer;
}

/** One scripted answer. */
export interface CollectorAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: Buffer;
}

/** A stand-in collector on a fixed port: keeps every body it accepts and the time of every request. */
export class Collector {
  bodies: Buffer[] = [];
  requests: number[] = [];
  /** Headers of every request, in order. */
  headers: IncomingHttpHeaders[] = [];
  status = 202;
  /** Answers given to the next requests, first first; `status` answers once they are used up. */
  answers: CollectorAnswer[] = [];
  /** Milliseconds each answer waits (a slow collector). */
  delayMs = 0;
  private server: Server | undefined;
  constructor(
    public port = 0,
    private readonly tls?: CollectorTls,
  ) {}

  /** `http://` or `https://127.0.0.1:port` and `path`. */
  url(path: string): string {
    return `${this.tls ? 'https' : 'http'}://127.0.0.1:${this.port}${path}`;
  }

  async start(): Promise<void> {
    const handle = (req: IncomingMessage, res: ServerResponse): void => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.requests.push(Date.now());
        this.headers.push(req.headers);
        const answer = this.answers.shift() ?? { status: this.status };
        if (answer.status < 300) this.bodies.push(Buffer.concat(chunks));
        setTimeout(() => res.writeHead(answer.status, answer.headers).end(answer.body), this.delayMs);
      });
    };
    const tls = this.tls;
    this.server = tls
      ? createTlsServer({ key: tls.key, cert: tls.cert, ca: tls.clientCa, requestCert: tls.clientCa !== undefined, rejectUnauthorized: tls.clientCa !== undefined }, handle)
      : createServer(handle);
    await new Promise<void>((r) => this.server?.listen(this.port, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }

  /** Whether a span of this name reached the collector (Thrift and protobuf carry it as plain UTF-8). */
  received(name: string): boolean {
    return this.bodies.some((b) => b.includes(name));
  }
}
