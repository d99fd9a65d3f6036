import { readFileSync } from 'node:fs';
import { diag } from '@opentelemetry/api';
import { getStringFromEnv } from '@opentelemetry/core';
import { checkEndpoint } from '../endpoint-url';
import { numberFromEnv, warnUnknownOnce } from '../env-config';
import type { OtlpExportOptions } from '../tracing-options';

/**
 * The settings of the OTLP/HTTP trace exporter, from the options, then the specification's
 * variables (OpenTelemetry Protocol Exporter: the signal's own `OTEL_EXPORTER_OTLP_TRACES_*` over the
 * generic `OTEL_EXPORTER_OTLP_*`), then the defaults.
 * @internal
 */

/** Default endpoint of the OTLP exporter (the default one): a local Jaeger's OTLP/HTTP receiver, the port `npm run infra:up` opens. */
export const DEFAULT_OTLP_TRACES_ENDPOINT = 'http://127.0.0.1:4318/v1/traces';
const DEFAULT_TIMEOUT_MS = 10_000;

/** Everything the OTLP/HTTP collector needs, resolved and read. @internal */
export interface OtlpHttpConfig {
  url: string;
  headers: Record<string, string>;
  compression: 'gzip' | 'none';
  timeoutMillis: number;
  /** PEM contents, read at start. */
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

/** The traces-specific variable when set (blank counts as unset), else the generic one. */
function otlpEnv(suffix: string): { value: string; name: string } | undefined {
  for (const name of [`OTEL_EXPORTER_OTLP_TRACES_${suffix}`, `OTEL_EXPORTER_OTLP_${suffix}`]) {
    const value = getStringFromEnv(name);
    if (value !== undefined) return { value, name };
  }
  return undefined;
}

/**
 * `key=value,key2=value2` as the specification writes `OTEL_EXPORTER_OTLP_HEADERS` (the W3C
 * Baggage format without properties): keys and values trimmed and percent-decoded. An entry that is
 * not `key=value`, or not decodable, is skipped and warned about once.
 * @internal
 */
export function parseOtlpHeaders(raw: string, source: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const entry of raw.split(',')) {
    if (entry.trim() === '') continue;
    const eq = entry.indexOf('=');
    try {
      if (eq <= 0) throw new Error('not key=value');
      const key = decodeURIComponent(entry.slice(0, eq).trim());
      const value = decodeURIComponent(entry.slice(eq + 1).trim());
      if (key === '') throw new Error('empty key');
      headers[key] = value;
    } catch {
      warnUnknownOnce(source, entry.trim(), 'expected key=value pairs, percent-encoded, separated by commas; this entry is skipped');
    }
  }
  return headers;
}

/** The endpoint from the options or the variables, checked; undefined (reported) when unusable. */
function endpoint(options: OtlpExportOptions): string | undefined {
  let raw: string;
  let source: string;
  let append = false;
  const traces = getStringFromEnv('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const base = getStringFromEnv('OTEL_EXPORTER_OTLP_ENDPOINT');
  if (options.url) [raw, source] = [options.url, 'the otlp.url option'];
  else if (traces) [raw, source] = [traces, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'];
  else if (base) [raw, source, append] = [base, 'OTEL_EXPORTER_OTLP_ENDPOINT', true];
  else return DEFAULT_OTLP_TRACES_ENDPOINT;
  const checked = checkEndpoint(raw, source);
  if (!checked.ok) return undefined;
  // The specification: the signal's path is appended to the generic endpoint, which is used as a base.
  return append ? `${checked.url.replace(/\/+$/, '')}/v1/traces` : checked.url;
}

/** A PEM given as contents (a Buffer, or a string holding `-----BEGIN`) or as a file path. */
function pem(option: string | Buffer | undefined, envSuffix: string, what: string): Buffer | undefined | Error {
  let path: string;
  let source: string;
  if (Buffer.isBuffer(option)) return option;
  if (typeof option === 'string') {
    if (option.includes('-----BEGIN')) return Buffer.from(option);
    [path, source] = [option, `the otlp.tls.${what} option`];
  } else {
    const env = otlpEnv(envSuffix);
    if (!env) return undefined;
    [path, source] = [env.value, env.name];
  }
  try {
    return readFileSync(path);
  } catch (err) {
    return new Error(`the file "${path}" named by ${source} cannot be read (${(err as Error).message})`);
  }
}

/**
 * The collector settings, or undefined when they cannot be used (an unusable endpoint, a TLS file
 * that cannot be read, a client certificate without its key): then the reason went to diag once and
 * no OTLP exporter is built, rather than one whose every export would fail. Without a timeout
 * option or variable, a request gets the specification's 10 s or the processor's export timeout
 * (`batch.exportTimeoutMillis`), whichever is shorter: one request cannot usefully outlast the export.
 * @internal
 */
export function otlpHttpConfig(options: OtlpExportOptions = {}, exportTimeoutMillis = DEFAULT_TIMEOUT_MS): OtlpHttpConfig | undefined {
  const url = endpoint(options);
  if (url === undefined) return undefined;
  const envHeaders = otlpEnv('HEADERS');
  const headers = { ...(envHeaders ? parseOtlpHeaders(envHeaders.value, envHeaders.name) : {}), ...options.headers };

  let compression: 'gzip' | 'none' = 'none';
  const envCompression = otlpEnv('COMPRESSION');
  const chosen = options.compression ?? envCompression?.value.trim().toLowerCase();
  if (chosen === 'gzip') compression = 'gzip';
  else if (chosen !== undefined && chosen !== 'none') warnUnknownOnce(envCompression?.name ?? 'otlp.compression', chosen, 'expected gzip or none; using none');

  const timeout = options.timeoutMillis ?? numberFromEnv('OTEL_EXPORTER_OTLP_TRACES_TIMEOUT') ?? numberFromEnv('OTEL_EXPORTER_OTLP_TIMEOUT');
  const timeoutMillis = timeout !== undefined && timeout > 0 ? timeout : Math.min(DEFAULT_TIMEOUT_MS, exportTimeoutMillis);

  const tls = options.tls ?? {};
  const ca = pem(tls.ca, 'CERTIFICATE', 'ca');
  const cert = pem(tls.cert, 'CLIENT_CERTIFICATE', 'cert');
  const key = pem(tls.key, 'CLIENT_KEY', 'key');
  const problems = [ca, cert, key].filter((p): p is Error => p instanceof Error).map((e) => e.message);
  if ((cert === undefined) !== (key === undefined) && problems.length === 0) {
    problems.push('mutual TLS needs both a client certificate and its key, and only one is given');
  }
  if (problems.length > 0) {
    diag.error(`kafkajs-tracing: the OTLP exporter to ${url} is not started, spans are not exported: ${problems.join('; ')}`);
    return undefined;
  }
  return { url, headers, compression, timeoutMillis, ca: ca as Buffer | undefined, cert: cert as Buffer | undefined, key: key as Buffer | undefined };
}
