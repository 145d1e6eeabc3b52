import { Agent, request as httpRequest } from 'node:http';
import { createServer, type Server } from 'node:https';
import { connect, type Socket } from 'node:net';
import type { Logger } from '@commerce/common';

export interface TlsFrontOptions {
  host: string;
  port: number;
  certPem: string;
  keyPem: string;
  /** where plain HTTP requests go (the api, which also serves the pages) */
  api: { host: string; port: number };
  /** where WebSocket upgrades on `hubPath` go (the hub) */
  hub: { host: string; port: number };
  hubPath?: string;
  logger: Logger;
}

export interface TlsFront {
  port: number;
  stop(): Promise<void>;
}

/**
 * One https origin for tablets on the LAN: browsers give pages WebCrypto (which the hub protocol
 * needs) only in a secure context, and http://192.168.x.y is not one. Requests are relayed to the
 * api; WebSocket upgrades on the hub's path are relayed byte for byte to the hub, so the
 * end-to-end encryption of the hub protocol is unchanged inside the TLS tunnel. Pages and the hub
 * share one origin and one certificate, so a person accepts the certificate once.
 */
export async function startTlsFront(options: TlsFrontOptions): Promise<TlsFront> {
  const hubPath = options.hubPath ?? '/ws';
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const sockets = new Set<Socket>();
  const server: Server = createServer({ cert: options.certPem, key: options.keyPem }, (req, res) => {
    const upstream = httpRequest(
      {
        host: options.api.host,
        port: options.api.port,
        method: req.method,
        path: req.url,
        agent,
        headers: {
          ...req.headers,
          'x-forwarded-proto': 'https',
          'x-forwarded-host': req.headers.host ?? '',
          'x-forwarded-for': req.socket.remoteAddress ?? '',
        },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (error) => {
      options.logger.warn({ err: error, url: req.url }, 'tls front: api unreachable');
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('the api is not reachable');
    });
    req.pipe(upstream);
  });
  server.on('upgrade', (req, client: Socket, head: Buffer) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== hubPath) {
      client.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\n\r\n');
      return;
    }
    const upstream = connect(options.hub.port, options.hub.host);
    sockets.add(client);
    sockets.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    upstream.setNoDelay(true);
    client.setNoDelay(true);
    // the request head as received (raw header pairs keep order and case), then the bytes after it
    const lines = [`${req.method} ${req.url} HTTP/1.1`];
    for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (head.length) upstream.write(head);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  server.on('tlsClientError', (error) => options.logger.debug({ err: error }, 'tls front: handshake failed'));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : options.port,
    async stop() {
      for (const s of sockets) s.destroy();
      sockets.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
