import { diag } from '@opentelemetry/api';

/** What {@link checkEndpoint} made of a configured collector endpoint. @internal */
export type CheckedEndpoint = { ok: true; url: string } | { ok: false; reason: string };

// host:port with an optional path, the shape of a URL whose `http://` was forgotten
// (`127.0.0.1:14268/api/traces`, `localhost:4318`, `[::1]:4318/v1/traces`).
const HOST_PORT = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+):\d{1,5}(\/.*)?$/i;

// Each endpoint is reported once per process, not on every startTracing call.
const reported = new Set<string>();
function reportOnce(key: string, log: () => void): void {
  if (reported.has(key)) return;
  reported.add(key);
  log();
}

/**
 * Checks a collector endpoint once, at start, so that a typo in an environment variable neither
 * throws out of `startTracing` (it used to, with `TypeError: Invalid URL`) nor makes every export fail
 * and be retried for ever (`localhost:14268/…` parses as a URL of protocol `localhost:`).
 *
 * A `host:port[/path]` without a scheme is taken as `http://host:port[/path]`, with a warning, as
 * OpenTelemetry's Go and Java exporters accept a bare host and port. Anything else that is not an
 * `http:` or `https:` URL is refused with an error naming where it came from; the caller then builds
 * no exporter for it.
 * @internal
 */
export function checkEndpoint(raw: string, source: string): CheckedEndpoint {
  const value = raw.trim();
  if (HOST_PORT.test(value)) {
    const url = `http://${value}`;
    if (URL.canParse(url)) {
      reportOnce(`${source}=${raw}`, () =>
        diag.warn(`kafkajs-tracing: the endpoint "${raw}" in ${source} has no scheme; it is used as ${url}`),
      );
      return { ok: true, url };
    }
  }
  let parsed: URL | undefined;
  try {
    parsed = new URL(value);
  } catch {
    parsed = undefined;
  }
  if (parsed && (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.hostname !== '') return { ok: true, url: value };
  const reason = parsed ? `its protocol "${parsed.protocol}" is neither http: nor https:` : 'it is not a URL';
  reportOnce(`${source}=${raw}`, () =>
    diag.error(`kafkajs-tracing: the endpoint "${raw}" in ${source} cannot be used (${reason}); spans are not exported to it. Expected e.g. http://127.0.0.1:4318/v1/traces`),
  );
  return { ok: false, reason };
}
