// GET requests to Jaeger's query API over http or https, with the credentials and trust the client was
// given. node:http(s) rather than fetch: fetch cannot trust a private CA without undici's Agent.
import { readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';
import type { JaegerQueryOptions } from './query-options';

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

/** The answer to one GET. */
export interface QueryResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/** A prepared connection: the base URL without credentials, the headers and the TLS material to send. */
export interface QueryConnection {
  /** The base URL without a trailing slash and without any user or password. */
  baseUrl: string;
  get(path: string): Promise<QueryResponse>;
}

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new TypeError(`JaegerQuery: cannot read the ${what} file ${path}: ${(err as Error).message}`);
  }
}

/** Why a TLS handshake failed, in words that say what to do. */
function tlsHint(code: string | undefined): string {
  switch (code) {
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'CERT_SIGNATURE_FAILURE':
      return ' (the server certificate is not signed by a trusted CA: give the CA that signed it with `caFile`, or JAEGER_QUERY_CA for the CLI)';
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return ' (the server certificate does not name this host)';
    case 'CERT_HAS_EXPIRED':
      return ' (the server certificate has expired)';
    default:
      return '';
  }
}

/**
 * Prepares requests to `baseUrl` with the options' credentials. Throws `TypeError` for options that
 * contradict each other (two kinds of credentials) or files that cannot be read.
 */
export function queryConnection(baseUrl: string, options: JaegerQueryOptions = {}): QueryConnection {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new TypeError(`JaegerQuery: not a URL: ${baseUrl}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`JaegerQuery: ${baseUrl} is not an http or https URL`);
  const username = options.username ?? (url.username ? decodeURIComponent(url.username) : undefined);
  const password = options.password ?? (url.password ? decodeURIComponent(url.password) : undefined);
  url.username = '';
  url.password = '';
  const headers: Record<string, string> = { accept: 'application/json' };
  for (const [k, v] of Object.entries(options.headers ?? {})) headers[k.toLowerCase()] = v;
  const kinds = [options.token !== undefined, username !== undefined, headers.authorization !== undefined].filter(Boolean).length;
  if (kinds > 1) throw new TypeError('JaegerQuery: give one of `token`, `username`/`password` or an `authorization` header, not several');
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (username !== undefined) headers.authorization = `Basic ${Buffer.from(`${username}:${password ?? ''}`).toString('base64')}`;
  if ((options.clientCertFile === undefined) !== (options.clientKeyFile === undefined)) {
    throw new TypeError('JaegerQuery: `clientCertFile` and `clientKeyFile` go together');
  }
  const ca = options.ca ?? (options.caFile !== undefined ? readPem(options.caFile, 'CA') : undefined);
  const cert = options.clientCertFile !== undefined ? readPem(options.clientCertFile, 'client certificate') : undefined;
  const key = options.clientKeyFile !== undefined ? readPem(options.clientKeyFile, 'client key') : undefined;
  const https = url.protocol === 'https:';
  const base = url.toString().replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 5000;

  const get = (path: string): Promise<QueryResponse> => {
    const target = `${base}${path}`;
    return new Promise<QueryResponse>((resolve, reject) => {
      const fail = (err: Error & { code?: string }) => {
        if (err.name === 'AbortError' || err.name === 'TimeoutError') err = Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' });
        const why = `${err.message}${err.code && !err.message.includes(err.code) ? ` (${err.code})` : ''}${https ? tlsHint(err.code) : ''}`;
        reject(new JaegerQueryError(`Jaeger query API unreachable at ${target}: ${why}`, target));
      };
      // A private CA is added to Node's own list, so public certificates stay trusted.
      const tls = https ? { ca: ca ? [ca, ...rootCertificates] : undefined, cert, key } : {};
      const req = (https ? httpsRequest : httpRequest)(target, { method: 'GET', headers, ...tls, signal: AbortSignal.timeout(timeoutMs) }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', fail);
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', fail);
      req.end();
    });
  };
  return { baseUrl: base, get };
}
