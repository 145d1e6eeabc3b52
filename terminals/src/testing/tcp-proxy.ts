import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP relay between the browser and the hub, so a test can kill a page's connection for real
 * (the socket drops, as when Wi-Fi goes) and keep it down while things happen, or hold back what
 * the hub sends while the connection stays up.
 */
export interface TcpProxy {
  port: number;
  /** destroy every open connection */
  cut(): void;
  /** refuse new connections (accepted, then dropped at once) until resume() */
  pause(): void;
  resume(): void;
  /** keep every connection open but stop passing the hub's bytes to the browser until release() */
  hold(): void;
  /** pass on what was held, in order, and everything after it */
  release(): void;
  readonly open: number;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  // hub → browser halves, paused together by hold()
  const downstream = new Map<Socket, Socket>();
  let paused = false;
  let held = false;
  const server: Server = createServer((client) => {
    if (paused) {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, targetHost);
    sockets.add(client);
    sockets.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
      downstream.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    downstream.set(upstream, client);
    if (!held) upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const cut = () => {
    for (const s of sockets) s.destroy();
    sockets.clear();
  };
  return {
    port,
    cut,
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
    },
    hold() {
      held = true;
      for (const [upstream, client] of downstream) {
        upstream.unpipe(client);
        upstream.pause();
      }
    },
    release() {
      held = false;
      for (const [upstream, client] of downstream) upstream.pipe(client);
    },
    get open() {
      return sockets.size / 2;
    },
    async close() {
      cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
