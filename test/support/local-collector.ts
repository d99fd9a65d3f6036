// A stand-in for the Jaeger collector's HTTP endpoint, on 127.0.0.1: it can be down (port closed),
// refuse (any status), answer slowly, or accept; it keeps every body it accepts.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A stand-in collector on a fixed port: keeps every body it accepts and the time of every request. */
export class Collector {
  bodies: Buffer[] = [];
  requests: number[] = [];
  status = 202;
  /** Milliseconds each answer waits (a slow collector). */
  delayMs = 0;
  private server: Server | undefined;
  constructor(public port = 0) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.requests.push(Date.now());
        if (this.status < 300) this.bodies.push(Buffer.concat(chunks));
        const status = this.status;
        setTimeout(() => res.writeHead(status).end(), this.delayMs);
      });
    });
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

  /** Whether a span of this name reached the collector (Thrift carries it as plain UTF-8). */
  received(name: string): boolean {
    return this.bodies.some((b) => b.includes(name));
  }
}

