import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

export interface TlsCert {
  certPem: string;
  keyPem: string;
  /** SHA-256 fingerprint, printed so a person can check what the tablet shows */
  fingerprint256: string;
  /** the names the certificate is valid for */
  hosts: string[];
}

const run = promisify(execFile);

/**
 * A self-signed certificate in the data folder for the LAN front door (tablets only get WebCrypto
 * on https). Made with the `openssl` binary on first use, and again when the host names it must
 * cover change or it is about to expire; otherwise the same one is reused, so a tablet that
 * accepted it once keeps working across restarts.
 */
export async function ensureSelfSignedCert(dir: string, hosts: readonly string[]): Promise<TlsCert> {
  const wanted = [...new Set(['localhost', '127.0.0.1', ...hosts])].sort();
  const certPath = join(dir, 'tls.cert.pem');
  const keyPath = join(dir, 'tls.key.pem');
  if (existsSync(certPath) && existsSync(keyPath)) {
    const current = await load(certPath, keyPath);
    const soon = Date.now() + 7 * 24 * 3600 * 1000;
    if (
      wanted.every((h) => current.hosts.includes(h)) &&
      Date.parse(new X509Certificate(current.certPem).validTo) > soon
    ) {
      return current;
    }
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const san = wanted.map((h) => (isIP(h) ? `IP:${h}` : `DNS:${h}`)).join(',');
  try {
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '825',
      '-subj',
      '/CN=commerce-hub local',
      '-addext',
      `subjectAltName=${san}`,
      '-keyout',
      keyPath,
      '-out',
      certPath,
    ]);
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new Error(
      missing
        ? 'openssl is needed to make the self-signed certificate for --lan/--tls: install it (apt-get install -y openssl)'
        : `openssl could not make the certificate: ${(error as { stderr?: string }).stderr?.trim() || String(error)}`,
    );
  }
  return load(certPath, keyPath);
}

async function load(certPath: string, keyPath: string): Promise<TlsCert> {
  const certPem = await readFile(certPath, 'utf8');
  const keyPem = await readFile(keyPath, 'utf8');
  const x509 = new X509Certificate(certPem);
  const hosts = (x509.subjectAltName ?? '')
    .split(', ')
    .map((entry) => entry.replace(/^(DNS|IP Address):/, ''))
    .filter(Boolean);
  return { certPem, keyPem, fingerprint256: x509.fingerprint256, hosts };
}
