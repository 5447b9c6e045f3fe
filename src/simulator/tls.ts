// HTTPS for the sandbox: a self-signed certificate generated at start for the loopback names (and the
// bound host), written to a PEM file a client can trust with NODE_EXTRA_CA_CERTS (Node), curl
// --cacert, or the system store. Clients that always build https:// URLs (connectwise-rest does)
// can then rehearse without a proxy. Nothing secret: the key exists only in memory and dies with the
// process; the file holds the certificate alone.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generate } from 'selfsigned';

export interface SandboxCertificate {
  /** PEM of the self-signed certificate (the trust anchor clients need). */
  cert: string;
  key: string;
  /** Where the certificate PEM was written. */
  file: string;
  /** Removes the file, if the sandbox chose where it went. */
  dispose(): Promise<void>;
}

export async function createCertificate(host: string, certFile?: string): Promise<SandboxCertificate> {
  const names = new Set(['localhost', '127.0.0.1', '::1', host]);
  const altNames = [...names].filter((n) => n !== '' && n !== '0.0.0.0' && n !== '::').map((n) => (isIP(n) ? { type: 7 as const, ip: n } : { type: 2 as const, value: n }));
  const now = Date.now();
  const pems = await generate([{ name: 'commonName', value: 'dropwise sandbox' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now - 60_000),
    notAfterDate: new Date(now + 30 * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  const dir = certFile ? undefined : await mkdtemp(path.join(tmpdir(), 'dropwise-sandbox-'));
  const file = certFile ?? path.join(dir as string, 'sandbox-cert.pem');
  await writeFile(file, pems.cert, { mode: 0o644 });
  return { cert: pems.cert, key: pems.private, file, dispose: async () => (dir ? rm(dir, { recursive: true, force: true }) : undefined) };
}
