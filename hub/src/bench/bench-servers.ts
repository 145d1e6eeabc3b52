import { createCipheriv, randomBytes } from 'node:crypto';
import uWS from '@based/uws';
import { createLogger, type DomainEvent, type TokenVerifier } from '@commerce/common';
import { encodeTopicHeader, SUBPROTOCOL, utf8 } from '@commerce/sdk/wire';
import { type WebSocket, WebSocketServer } from 'ws';
import { MemoryBus } from '../bus/memory-bus.ts';
import { createHub } from '../create-hub.ts';
import { BENCH_TOPIC, BENCH_TOPIC_ID } from './bench-protocol.ts';

export interface BenchServer {
  port: number;
  publish(event: DomainEvent, seq: number): void;
  connections(): number;
  stop(): Promise<void>;
}

/** (a) uWS native publish of the plaintext event: the ceiling of what fan-out costs. */
export async function plainServer(): Promise<BenchServer> {
  const app = uWS.App();
  let open = 0;
  app.ws('/ws', {
    maxBackpressure: 16 * 1024 * 1024,
    idleTimeout: 60,
    upgrade: (res, req, context) =>
      res.upgrade(
        {},
        req.getHeader('sec-websocket-key'),
        SUBPROTOCOL,
        req.getHeader('sec-websocket-extensions'),
        context,
      ),
    open: (ws) => {
      open++;
      ws.subscribe(BENCH_TOPIC);
    },
    close: () => {
      open--;
    },
  });
  const port = await listen(app);
  return {
    port,
    publish: (event) => {
      app.publish(BENCH_TOPIC, JSON.stringify(event), true);
    },
    connections: () => open,
    stop: async () => {
      app.close();
    },
  };
}

/**
 * (b) the hub itself: memory bus → seal once per topic → uWS native publish. Every event is its own
 * bus publish (cdc would hand the bus a whole batch at once); events published in one turn are
 * coalesced into one frame unless maxEventsPerFrame is 1.
 */
export async function encryptedServer(
  verify: TokenVerifier,
  signingKeyPem: string,
  maxEventsPerFrame?: number,
): Promise<BenchServer> {
  const bus = new MemoryBus({ historyMax: 1000, dedupeWindow: 1000 });
  const hub = createHub({
    config: {
      host: '127.0.0.1',
      port: 0,
      processMetrics: false,
      maxBackpressureBytes: 16 * 1024 * 1024,
      ...(maxEventsPerFrame ? { maxEventsPerFrame } : {}),
    },
    logger: createLogger('bench-hub', 'warn'),
    bus,
    tokenVerifier: verify,
    signingKey: signingKeyPem,
  });
  await hub.start();
  return {
    port: hub.port,
    publish: (event) => void bus.publish([event]),
    connections: () => hub.core.sessions.size,
    stop: () => hub.stop(),
  };
}

/**
 * (c) the baseline to beat: a `ws` server that seals every event separately for each socket with
 * that socket's own key (node:crypto, synchronous: the fastest per-socket loop available in JS),
 * same frame layout as the hub. Keys are handed out in clear at connect: a benchmark shortcut.
 */
export async function wsBaselineServer(): Promise<BenchServer> {
  const server = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    perMessageDeflate: false,
    handleProtocols: () => SUBPROTOCOL,
  });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const sockets = new Map<WebSocket, { key: Buffer; keyId: number; counter: number }>();
  const topicBytes = utf8(BENCH_TOPIC);
  server.on('connection', (ws) => {
    const state = { key: randomBytes(32), keyId: 1, counter: 0 };
    sockets.set(ws, state);
    ws.send(JSON.stringify({ key: state.key.toString('base64url'), keyId: state.keyId }));
    ws.on('close', () => sockets.delete(ws));
    ws.on('error', () => sockets.delete(ws));
  });
  return {
    port: (server.address() as { port: number }).port,
    publish: (event, seq) => {
      const plaintext = Buffer.from(`[${JSON.stringify(event)}]`);
      for (const [ws, state] of sockets) {
        const header = encodeTopicHeader({
          topicId: BENCH_TOPIC_ID,
          keyId: state.keyId,
          counter: state.counter++,
          epoch: 'bench',
          seq,
          count: 1,
        });
        const nonce = Buffer.alloc(12);
        nonce.set(header.subarray(6, 14));
        const cipher = createCipheriv('aes-256-gcm', state.key, nonce);
        cipher.setAAD(Buffer.concat([header, topicBytes]));
        ws.send(Buffer.concat([header, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]));
      }
    },
    connections: () => sockets.size,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const ws of server.clients) ws.terminate();
        server.close(() => resolve());
      }),
  };
}

function listen(app: uWS.TemplatedApp): Promise<number> {
  return new Promise((resolve, reject) =>
    app.listen('127.0.0.1', 0, (socket) =>
      socket
        ? resolve(uWS.us_socket_local_port(socket as unknown as uWS.us_socket))
        : reject(new Error('listen failed')),
    ),
  );
}
