// The options of the query client, apart from the client so the transport can read them too.

/**
 * Which of Jaeger's HTTP query APIs a `JaegerQuery` calls:
 * - `'v3'`: `/api/v3/traces/{id}`, `/api/v3/traces`, `/api/v3/services`, `/api/v3/operations` (OTLP JSON),
 *   converted into the legacy JSON model;
 * - `'legacy'`: `/api/traces/{id}`, `/api/traces?service=…`, `/api/services`, `/api/services/{s}/operations`
 *   (the UI's internal JSON; Jaeger removed the search, services and operations endpoints after 2.20);
 * - `'auto'` (default): asks `/api/v3/services` once per client; `/api/v3` where it answers, the legacy
 *   endpoints where it is missing (404 or not JSON: Jaeger before 1.25, or a proxy that exposes only `/api/traces`).
 */
export type JaegerQueryApi = 'auto' | 'v3' | 'legacy';

/**
 * Options of `JaegerQuery`: the API to call, a timeout, and credentials and trust for https.
 * One kind of credentials at most: `token`, `username`/`password` (or a user in the URL), or an
 * `authorization` header.
 */
export interface JaegerQueryOptions {
  /** Which query API to call; default `'auto'` (see {@link JaegerQueryApi}). */
  api?: JaegerQueryApi;
  /** Per-request timeout in milliseconds. Default 5000. */
  timeoutMs?: number;
  /** A bearer token: sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** User for HTTP basic authentication (with `password`). A user in the URL (`https://user:pw@host`) works too. */
  username?: string;
  /** Password for HTTP basic authentication. */
  password?: string;
  /** Extra request headers, e.g. a proxy's own API key header. */
  headers?: Record<string, string>;
  /** Path of a PEM file with the CA certificate(s) to trust for https, for a private CA (added to Node's default CAs). */
  caFile?: string;
  /** PEM text of the CA certificate(s) to trust, instead of `caFile`. */
  ca?: string | Buffer;
  /** Client certificate (PEM file) for servers that require mutual TLS, with `clientKeyFile`. */
  clientCertFile?: string;
  /** Private key (PEM file) of `clientCertFile`. */
  clientKeyFile?: string;
}
