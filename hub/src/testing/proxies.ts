import { connect, createServer, type Server, type Socket } from 'node:net';
import { SUBPROTOCOL } from '@commerce/sdk/wire';
import WebSocket, { WebSocketServer } from 'ws';

/**
 * A TCP relay in front of a hub: `cut()` drops every connection and refuses new ones until
 * `restore()`, like a network outage; `retarget()` points new connections at another port, like a
 * load balancer after a drain; `stall()` stops relaying the server's bytes on the connections open
 * now (nothing is lost or closed, the terminal just hears nothing), like a hung server or path.
 */
export async function tcpProxy(targetPort: number) {
  let target = targetPort;
  let refusing = false;
  const sockets = new Set<Socket>();
  const relays = new Set<{ client: Socket; upstream: Socket }>();
  const server: Server = createServer((client) => {
    if (refusing) return client.destroy();
    const upstream = connect(target, '127.0.0.1');
    sockets.add(client).add(upstream);
    const relay = { client, upstream };
    relays.add(relay);
    upstream.once('close', () => relays.delete(relay));
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `ws://127.0.0.1:${port}/ws`,
    cut() {
      refusing = true;
      for (const socket of sockets) socket.destroy();
      sockets.clear();
    },
    restore() {
      refusing = false;
    },
    retarget(port: number) {
      target = port;
    },
    stall() {
      for (const { client, upstream } of relays) {
        upstream.unpipe(client);
        upstream.pause();
      }
      relays.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * A WebSocket man in the middle: relays each connection to the hub and lets the test rewrite what
 * the server sends (`serverToClient` returns the messages to forward instead: none, changed, twice).
 */
export async function wsProxy(targetUrl: string, serverToClient: (bytes: Uint8Array, index: number) => Uint8Array[]) {
  const server = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
  });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const upstreams = new Set<WebSocket>();
  server.on('connection', (client, request) => {
    const protocols = String(request.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
    const upstream = new WebSocket(targetUrl, protocols);
    upstreams.add(upstream);
    const early: Buffer[] = [];
    let index = 0;
    client.on('message', (data: Buffer) =>
      upstream.readyState === WebSocket.OPEN ? upstream.send(data) : early.push(data),
    );
    upstream.on('open', () => {
      for (const data of early.splice(0)) upstream.send(data);
    });
    upstream.on('message', (data: Buffer) => {
      for (const out of serverToClient(new Uint8Array(data), index++)) client.send(out);
    });
    const closeBoth = (code?: number) => {
      const safe = code && code >= 1000 && code !== 1005 && code !== 1006 ? code : 1000;
      if (client.readyState === WebSocket.OPEN) client.close(safe);
      if (upstream.readyState === WebSocket.OPEN) upstream.close(safe);
      upstreams.delete(upstream);
    };
    client.on('close', (code) => closeBoth(code));
    upstream.on('close', (code) => closeBoth(code));
    client.on('error', () => closeBoth());
    upstream.on('error', () => closeBoth());
  });
  const port = (server.address() as { port: number }).port;
  return {
    url: `ws://127.0.0.1:${port}/ws`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const upstream of upstreams) upstream.terminate();
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}
