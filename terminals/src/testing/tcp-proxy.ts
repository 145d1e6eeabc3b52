import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP relay between the browser and the hub, so a test can kill a page's connection for real
 * (the socket drops, as when Wi-Fi goes) and keep it down while things happen.
 */
export interface TcpProxy {
  port: number;
  /** destroy every open connection */
  cut(): void;
  /** refuse new connections (accepted, then dropped at once) until resume() */
  pause(): void;
  resume(): void;
  readonly open: number;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let paused = false;
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
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
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
    get open() {
      return sockets.size / 2;
    },
    async close() {
      cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
