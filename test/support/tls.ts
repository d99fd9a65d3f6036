// Certificates for tests of collectors and query APIs behind TLS: a private CA made fresh in a
// temporary folder with the openssl command line (Node has no API to issue certificates), a server
// certificate for 127.0.0.1 and localhost, a client certificate for mutual TLS, and a second CA that
// signed none of them (the "wrong CA" case).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Paths (and contents) of one test PKI. */
export interface TlsFixture {
  dir: string;
  /** The CA that signed the server and client certificates (PEM path). */
  caFile: string;
  /** A CA that signed nothing here: a client trusting only it must refuse the server. */
  otherCaFile: string;
  serverKeyFile: string;
  serverCertFile: string;
  clientKeyFile: string;
  clientCertFile: string;
  /** Reads one of the files above. */
  read(path: string): Buffer;
  /** Deletes the folder. */
  remove(): void;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function makeCa(dir: string, name: string): void {
  openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.crt`]);
}

function issue(dir: string, name: string, ca: string, ext: string): void {
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.csr`]);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.crt`]);
}

/** Makes a fresh PKI in a temporary folder (about a second: four RSA keys). */
export function makeTlsFixture(): TlsFixture {
  const dir = mkdtempSync(join(tmpdir(), 'kjt-tls-'));
  makeCa(dir, 'ca');
  makeCa(dir, 'other-ca');
  issue(dir, 'server', 'ca', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  issue(dir, 'client', 'ca', 'extendedKeyUsage=clientAuth\n');
  const path = (f: string): string => join(dir, f);
  return {
    dir,
    caFile: path('ca.crt'),
    otherCaFile: path('other-ca.crt'),
    serverKeyFile: path('server.key'),
    serverCertFile: path('server.crt'),
    clientKeyFile: path('client.key'),
    clientCertFile: path('client.crt'),
    read: (p) => readFileSync(p),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
