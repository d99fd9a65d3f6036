// The CLI's connection to Jaeger from its environment, so a token never has to be typed on a command line
// (where `ps` and shell history would show it).
import type { JaegerQueryApi, JaegerQueryOptions } from './query-options';

/** The default query address: Jaeger's UI/query port on this machine. */
export const DEFAULT_QUERY_URL = 'http://127.0.0.1:16686';

/**
 * Query options from the environment:
 * `JAEGER_QUERY_TOKEN` (bearer), `JAEGER_QUERY_USERNAME` + `JAEGER_QUERY_PASSWORD` (basic),
 * `JAEGER_QUERY_HEADERS` (`key=value,key2=value2`, values percent-decoded as in OTEL_EXPORTER_OTLP_HEADERS),
 * `JAEGER_QUERY_CA` (PEM file of a private CA), `JAEGER_QUERY_CLIENT_CERTIFICATE` + `JAEGER_QUERY_CLIENT_KEY`
 * (mutual TLS), `JAEGER_QUERY_API` (`auto`, `v3` or `legacy`). Empty variables count as unset.
 * Throws `TypeError` for a malformed `JAEGER_QUERY_HEADERS` or `JAEGER_QUERY_API`.
 * @internal
 */
export function queryOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): JaegerQueryOptions {
  const get = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v ? v : undefined;
  };
  const options: JaegerQueryOptions = {};
  const api = get('JAEGER_QUERY_API');
  if (api !== undefined) {
    if (api !== 'auto' && api !== 'v3' && api !== 'legacy') throw new TypeError(`JAEGER_QUERY_API must be auto, v3 or legacy, got "${api}"`);
    options.api = api as JaegerQueryApi;
  }
  const token = get('JAEGER_QUERY_TOKEN');
  if (token !== undefined) options.token = token;
  const username = get('JAEGER_QUERY_USERNAME');
  if (username !== undefined) {
    options.username = username;
    options.password = env.JAEGER_QUERY_PASSWORD ?? '';
  }
  const headers = get('JAEGER_QUERY_HEADERS');
  if (headers !== undefined) {
    options.headers = {};
    for (const pair of headers.split(',')) {
      if (pair.trim() === '') continue;
      const eq = pair.indexOf('=');
      const key = eq > 0 ? pair.slice(0, eq).trim() : '';
      if (key === '') throw new TypeError(`JAEGER_QUERY_HEADERS: "${pair.trim()}" is not key=value`);
      try {
        options.headers[key] = decodeURIComponent(pair.slice(eq + 1).trim());
      } catch {
        throw new TypeError(`JAEGER_QUERY_HEADERS: the value of ${key} is not percent-encoded text`);
      }
    }
  }
  const ca = get('JAEGER_QUERY_CA');
  if (ca !== undefined) options.caFile = ca;
  const cert = get('JAEGER_QUERY_CLIENT_CERTIFICATE');
  if (cert !== undefined) options.clientCertFile = cert;
  const key = get('JAEGER_QUERY_CLIENT_KEY');
  if (key !== undefined) options.clientKeyFile = key;
  return options;
}
