// The query client over https with a private CA, bearer and basic credentials, extra headers and mutual
// TLS, against a local https server that answers only requests with the expected Authorization header;
// and the CLI's environment variables for the same.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { JaegerQuery, JaegerQueryError } from '../../../src/harness/index';
import { queryOptionsFromEnv } from '../../../src/harness/query-env';
import { main } from '../../../src/harness/cli';
import { makeTlsFixture, type TlsFixture } from '../../support/tls';

let tls: TlsFixture;
let server: Server;
let mtlsServer: Server;
let base: string;
let mtlsBase: string;
const seen: { authorization?: string; apiKey?: string; clientCert?: string }[] = [];
let expected = 'Bearer s3cret';

function respond(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): void {
  const peer = (req.socket as TLSSocket).getPeerCertificate();
  seen.push({ authorization: req.headers.authorization as string | undefined, apiKey: req.headers['x-api-key'] as string | undefined, clientCert: peer?.subject?.CN as string | undefined });
  if (req.headers.authorization !== expected) {
    res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' }).end('unauthorized');
    return;
  }
  if (req.url?.startsWith('/api/v3/traces')) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end(JSON.stringify({ error: { httpCode: 404, message: 'No traces found' } }));
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ services: ['secured'] }));
}

before(async () => {
  tls = makeTlsFixture();
  const opts = { key: tls.read(tls.serverKeyFile), cert: tls.read(tls.serverCertFile) };
  server = createServer(opts, respond);
  mtlsServer = createServer({ ...opts, ca: tls.read(tls.caFile), requestCert: true, rejectUnauthorized: true }, respond);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => mtlsServer.listen(0, '127.0.0.1', r));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  mtlsBase = `https://127.0.0.1:${(mtlsServer.address() as AddressInfo).port}`;
});
after(() => {
  server.close();
  mtlsServer.close();
  tls.remove();
});

describe('JaegerQuery over https', () => {
  it('sends a bearer token, trusting a private CA from a file', async () => {
    expected = 'Bearer s3cret';
    const q = new JaegerQuery(base, { token: 's3cret', caFile: tls.caFile });
    assert.deepEqual(await q.getServices(), ['secured']);
    assert.equal(seen[seen.length - 1]?.authorization, 'Bearer s3cret');
  });

  it('sends basic credentials, from options or from the URL (which then leaves the URL)', async () => {
    expected = `Basic ${Buffer.from('ops:pa:ss w').toString('base64')}`;
    assert.deepEqual(await new JaegerQuery(base, { username: 'ops', password: 'pa:ss w', ca: tls.read(tls.caFile) }).getServices(), ['secured']);
    const fromUrl = new JaegerQuery(`https://ops:pa%3Ass%20w@127.0.0.1:${(server.address() as AddressInfo).port}/`, { caFile: tls.caFile });
    assert.deepEqual(await fromUrl.getServices(), ['secured']);
    assert.equal(fromUrl.baseUrl, base, 'no password in the URL the harness prints');
  });

  it('sends extra headers, and refuses two kinds of credentials', async () => {
    expected = 'Token abc';
    const q = new JaegerQuery(base, { headers: { Authorization: 'Token abc', 'X-Api-Key': 'k1' }, caFile: tls.caFile });
    assert.deepEqual(await q.getServices(), ['secured']);
    assert.equal(seen[seen.length - 1]?.apiKey, 'k1');
    assert.throws(() => new JaegerQuery(base, { token: 't', username: 'u' }), /one of `token`, `username`\/`password` or an `authorization` header/);
    assert.throws(() => new JaegerQuery(base, { token: 't', headers: { authorization: 'x' } }), TypeError);
  });

  it('says what is wrong when the credentials are refused', async () => {
    expected = 'Bearer right';
    await assert.rejects(new JaegerQuery(base, { token: 'wrong', caFile: tls.caFile }).getServices(), (err: JaegerQueryError) => {
      return err instanceof JaegerQueryError && err.status === 401 && /answered 401/.test(err.message) && /`token`/.test(err.message) && !err.message.includes('wrong');
    });
  });

  it('fails clearly when the server certificate is not signed by the CA it trusts', async () => {
    for (const q of [new JaegerQuery(base, { token: 's3cret', caFile: tls.otherCaFile }), new JaegerQuery(base, { token: 's3cret' })]) {
      await assert.rejects(q.getServices(), (err: JaegerQueryError) => {
        return err instanceof JaegerQueryError && err.status === undefined && /unreachable at https:/.test(err.message) && /not signed by a trusted CA: give the CA that signed it with `caFile`/.test(err.message);
      });
    }
    assert.throws(() => new JaegerQuery(base, { caFile: `${tls.dir}/missing.pem` }), /cannot read the CA file/);
  });

  it('presents a client certificate to a server that requires mutual TLS', async () => {
    expected = 'Bearer s3cret';
    const withCert = new JaegerQuery(mtlsBase, { token: 's3cret', caFile: tls.caFile, clientCertFile: tls.clientCertFile, clientKeyFile: tls.clientKeyFile });
    assert.deepEqual(await withCert.getServices(), ['secured']);
    assert.equal(seen[seen.length - 1]?.clientCert, 'client');
    await assert.rejects(new JaegerQuery(mtlsBase, { token: 's3cret', caFile: tls.caFile }).getServices(), JaegerQueryError);
    assert.throws(() => new JaegerQuery(mtlsBase, { clientCertFile: tls.clientCertFile }), /go together/);
  });
});

describe('the CLI environment', () => {
  it('reads credentials, headers, trust and the API from JAEGER_QUERY_* variables', () => {
    assert.deepEqual(
      queryOptionsFromEnv({
        JAEGER_QUERY_TOKEN: 't0k',
        JAEGER_QUERY_HEADERS: 'x-api-key=a%2Cb, x-tenant = blue ,',
        JAEGER_QUERY_CA: '/ca.pem',
        JAEGER_QUERY_CLIENT_CERTIFICATE: '/c.pem',
        JAEGER_QUERY_CLIENT_KEY: '/k.pem',
        JAEGER_QUERY_API: 'legacy',
      }),
      { token: 't0k', headers: { 'x-api-key': 'a,b', 'x-tenant': 'blue' }, caFile: '/ca.pem', clientCertFile: '/c.pem', clientKeyFile: '/k.pem', api: 'legacy' },
    );
    assert.deepEqual(queryOptionsFromEnv({ JAEGER_QUERY_USERNAME: 'u', JAEGER_QUERY_PASSWORD: 'p' }), { username: 'u', password: 'p' });
    assert.deepEqual(queryOptionsFromEnv({ JAEGER_QUERY_TOKEN: ' ' }), {}, 'empty counts as unset');
    assert.throws(() => queryOptionsFromEnv({ JAEGER_QUERY_API: 'v2' }), /auto, v3 or legacy/);
    assert.throws(() => queryOptionsFromEnv({ JAEGER_QUERY_HEADERS: 'novalue' }), /not key=value/);
  });

  it('the trace command reaches an https Jaeger with the token and CA from the environment', async () => {
    expected = 'Bearer from-env';
    const saved = { ...process.env };
    try {
      process.env.JAEGER_QUERY_TOKEN = 'from-env';
      process.env.JAEGER_QUERY_CA = tls.caFile;
      const err: string[] = [];
      // The stand-in has no traces: a refused request would say 401, an accepted search "no traces".
      const code = await main(['trace', '--service', 'secured', '--jaeger', base], () => {}, (l) => err.push(l));
      assert.equal(code, 1);
      assert.match(err.join('\n'), /no traces of service secured/);
      assert.doesNotMatch(err.join('\n'), /401|unreachable/);
      process.env.JAEGER_QUERY_API = 'nonsense';
      assert.equal(await main(['trace', '--service', 'secured', '--jaeger', base], () => {}, () => {}), 2);
    } finally {
      process.env = saved;
    }
  });
});
