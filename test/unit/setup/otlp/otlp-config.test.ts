// Where the OTLP exporter's settings come from: options, then OTEL_EXPORTER_OTLP_TRACES_*, then
// OTEL_EXPORTER_OTLP_*, then the defaults, as the OTLP exporter specification orders them.
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_OTLP_TRACES_ENDPOINT, otlpHttpConfig, parseOtlpHeaders } from '../../../../src/setup/otlp/otlp-config';

const VARS = ['ENDPOINT', 'HEADERS', 'TIMEOUT', 'COMPRESSION'].flatMap((v) => [`OTEL_EXPORTER_OTLP_TRACES_${v}`, `OTEL_EXPORTER_OTLP_${v}`]);
afterEach(() => {
  for (const v of VARS) delete process.env[v];
});

describe('otlpHttpConfig', () => {
  it('defaults: the local Jaeger, no compression, 10 s, no headers', () => {
    assert.deepEqual(otlpHttpConfig({}), { url: 'http://127.0.0.1:4318/v1/traces', headers: {}, compression: 'none', timeoutMillis: 10000, ca: undefined, cert: undefined, key: undefined });
    assert.equal(DEFAULT_OTLP_TRACES_ENDPOINT, 'http://127.0.0.1:4318/v1/traces');
    assert.equal(otlpHttpConfig({}, 500)?.timeoutMillis, 500, "a shorter export timeout of the processor's bounds a request");
    assert.equal(otlpHttpConfig({}, 30000)?.timeoutMillis, 10000);
  });

  it('the traces endpoint is used as given; the generic one gets /v1/traces; the option wins over both', () => {
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = 'https://collector.example:4318/';
    assert.equal(otlpHttpConfig()?.url, 'https://collector.example:4318/v1/traces');
    process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = 'https://traces.example/custom/path';
    assert.equal(otlpHttpConfig()?.url, 'https://traces.example/custom/path');
    assert.equal(otlpHttpConfig({ url: 'http://10.0.0.1:4318/x' })?.url, 'http://10.0.0.1:4318/x');
  });

  it('headers: the traces variable over the generic one, options merged over both, percent-decoded', () => {
    process.env.OTEL_EXPORTER_OTLP_HEADERS = 'x-generic=1';
    assert.deepEqual(otlpHttpConfig()?.headers, { 'x-generic': '1' });
    process.env.OTEL_EXPORTER_OTLP_TRACES_HEADERS = 'Authorization=Basic%20dXNlcjpwdw%3D%3D, x-tenant = acme ';
    assert.deepEqual(otlpHttpConfig({ headers: { 'x-tenant': 'override' } })?.headers, { Authorization: 'Basic dXNlcjpwdw==', 'x-tenant': 'override' });
  });

  it('timeout and compression from the variables, signal-specific first; unknown compression is none', () => {
    process.env.OTEL_EXPORTER_OTLP_TIMEOUT = '5000';
    process.env.OTEL_EXPORTER_OTLP_COMPRESSION = 'gzip';
    assert.deepEqual([otlpHttpConfig({}, 500)?.timeoutMillis, otlpHttpConfig()?.compression], [5000, 'gzip'], 'the variable wins over the export timeout');
    process.env.OTEL_EXPORTER_OTLP_TRACES_TIMEOUT = '750';
    process.env.OTEL_EXPORTER_OTLP_TRACES_COMPRESSION = 'none';
    assert.deepEqual([otlpHttpConfig()?.timeoutMillis, otlpHttpConfig()?.compression], [750, 'none']);
    process.env.OTEL_EXPORTER_OTLP_TRACES_COMPRESSION = 'brotli';
    assert.equal(otlpHttpConfig()?.compression, 'none');
    assert.equal(otlpHttpConfig({ compression: 'gzip', timeoutMillis: 42 })?.compression, 'gzip');
  });

  it('an unusable endpoint builds nothing', () => {
    process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = 'ws://traces.example/';
    assert.equal(otlpHttpConfig(), undefined);
  });
});

describe('parseOtlpHeaders', () => {
  it('skips entries that are not key=value, keeps the rest', () => {
    assert.deepEqual(parseOtlpHeaders('a=1,,novalue,=x,b=%E2%9C%93,c=x=y,d=%zz', 'T'), { a: '1', b: '✓', c: 'x=y' });
  });
});
