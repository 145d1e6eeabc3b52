import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@commerce/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { freePort } from '../net.ts';
import { ensureSelfSignedCert, type TlsCert } from './tls-cert.ts';
import { startTlsFront, type TlsFront } from './tls-front.ts';

const logger = createLogger('tls-front-test', 'silent');
const dir = await mkdtemp(join(tmpdir(), 'commerce-tls-'));
let cert: TlsCert;
let api: Server;
let hub: WebSocketServer;
let front: TlsFront;
let apiPort: number;
const seen: Array<{ url: string; headers: IncomingHttpHeaders; body: string }> = [];

beforeAll(async () => {
  cert = await ensureSelfSignedCert(join(dir, 'keys'), ['192.0.2.77', 'kitchen.local']);
  api = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', headers: req.headers, body });
      res.writeHead(req.url === '/missing' ? 404 : 200, { 'content-type': 'text/plain', 'x-api': 'yes' });
      res.end(`api saw ${req.method} ${req.url} ${body}`);
    });
  });
  apiPort = await freePort();
  await new Promise<void>((resolve) => api.listen(apiPort, '127.0.0.1', resolve));
  const hubPort = await freePort();
  hub = new WebSocketServer({ port: hubPort, host: '127.0.0.1', path: '/ws' });
  hub.on('connection', (socket, req) => {
    socket.send(`hello ${req.headers['sec-websocket-protocol'] ?? '-'}`);
    socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
  });
  front = await startTlsFront({
    host: '127.0.0.1',
    port: 0,
    certPem: cert.certPem,
    keyPem: cert.keyPem,
    api: { host: '127.0.0.1', port: apiPort },
    hub: { host: '127.0.0.1', port: hubPort },
    logger,
  });
});

afterAll(async () => {
  await front?.stop();
  hub?.close();
  api?.close();
  await rm(dir, { recursive: true, force: true });
});

function get(path: string, init: { method?: string; body?: string } = {}) {
  return new Promise<{ status: number; headers: IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = httpsRequest(
      { host: '127.0.0.1', port: front.port, path, method: init.method ?? 'GET', ca: cert.certPem },
      (res) => {
        let body = '';
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

describe('self-signed certificate', () => {
  it('covers localhost, 127.0.0.1 and the LAN names, and is reused until the names change', async () => {
    expect(cert.hosts).toEqual(expect.arrayContaining(['localhost', '127.0.0.1', '192.0.2.77', 'kitchen.local']));
    const again = await ensureSelfSignedCert(join(dir, 'keys'), ['kitchen.local']);
    expect(again.fingerprint256).toBe(cert.fingerprint256);
    const other = await ensureSelfSignedCert(join(dir, 'other'), ['192.0.2.78']);
    expect(other.fingerprint256).not.toBe(cert.fingerprint256);
    const widened = await ensureSelfSignedCert(join(dir, 'other'), ['192.0.2.78', '192.0.2.79']);
    expect(widened.fingerprint256).not.toBe(other.fingerprint256);
    expect(widened.hosts).toContain('192.0.2.79');
  });
});

describe('tls front door', () => {
  it('relays requests to the api over verified TLS, with the forwarded protocol and the body', async () => {
    const answer = await get('/kds?x=1');
    expect(answer).toMatchObject({ status: 200, body: 'api saw GET /kds?x=1 ' });
    expect(answer.headers['x-api']).toBe('yes');
    const posted = await get('/orders', { method: 'POST', body: '{"a":1}' });
    expect(posted.body).toBe('api saw POST /orders {"a":1}');
    const last = seen.at(-1);
    expect(last?.headers['x-forwarded-proto']).toBe('https');
    expect(last?.headers['x-forwarded-host']).toBe(`127.0.0.1:${front.port}`);
    expect((await get('/missing')).status).toBe(404);
  });

  it('relays WebSocket upgrades on /ws to the hub byte for byte, subprotocol included', async () => {
    const socket = new WebSocket(`wss://127.0.0.1:${front.port}/ws`, ['hub.v1'], { ca: cert.certPem });
    const messages: string[] = [];
    const done = new Promise<void>((resolve, reject) => {
      socket.on('message', (data) => {
        messages.push(data.toString());
        if (messages.length === 1) socket.send('ping-123');
        else resolve();
      });
      socket.on('error', reject);
    });
    await done;
    socket.close();
    expect(messages).toEqual(['hello hub.v1', 'ping-123']);
  });

  it('refuses upgrades elsewhere and rejects a client that does not trust the certificate', async () => {
    const elsewhere = new WebSocket(`wss://127.0.0.1:${front.port}/not-the-hub`, { ca: cert.certPem });
    const refused = await new Promise<string>((resolve) => {
      elsewhere.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
      elsewhere.on('error', (error) => resolve(error.message));
    });
    expect(refused).toMatch(/404/);
    const untrusting = httpsRequest({ host: '127.0.0.1', port: front.port, path: '/' });
    const error = await new Promise<Error>((resolve) => {
      untrusting.on('error', resolve);
      untrusting.end();
    });
    expect(error.message).toMatch(/self[- ]signed/i);
  });

  it('answers 502 with a plain message when the api is down', async () => {
    api.closeAllConnections();
    await new Promise<void>((resolve) => api.close(() => resolve()));
    const answer = await get('/kds');
    expect(answer).toMatchObject({ status: 502, body: 'the api is not reachable' });
  });
});
