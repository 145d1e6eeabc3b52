import uWS from '@based/uws';
import { SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX } from '@commerce/sdk/wire';
import type { Conn, Fanout } from './transport.ts';

/**
 * Everything uWebSockets.js-specific lives in this file: the WebSocket route, backpressure and
 * idle settings, native topic publish, and the HTTP routes. The protocol sits behind `handlers`.
 */
export interface SocketHandlers<S> {
  open(conn: Conn, protocolToken: string | undefined): S;
  message(session: S, bytes: Uint8Array): void;
  /** a text frame arrived: the protocol is binary only, so its bytes are never handed on */
  textFrame(session: S): void;
  closed(session: S): void;
  /** a message to this socket was dropped at the backpressure limit */
  dropped(session: S): void;
  /** the socket hit the backpressure limit (reported once per socket) */
  slow(session: S): void;
}

export type HttpRoute = () => Promise<{ status: number; contentType: string; body: string }>;

export interface UwsServerOptions {
  host: string;
  port: number;
  maxMessageBytes: number;
  maxBackpressureBytes: number;
  idleTimeoutS: number;
  routes: Record<string, HttpRoute>;
}

interface UserData<S> {
  token: string | undefined;
  session: S | undefined;
  conn: UwsConn | undefined;
}

/** How long a close waits for a congested socket to drain before the connection is dropped. */
const CLOSE_DRAIN_TIMEOUT_MS = 5_000;

class UwsConn implements Conn {
  closed = false;
  slowReported = false;
  /** a close waiting for backpressure to drain, so the close frame itself is not dropped */
  pendingClose: { code: number; reason: string; timer: ReturnType<typeof setTimeout> } | undefined;
  /** set by the uWS close handler: the ws object must not be touched after it */
  gone = false;

  constructor(
    private readonly ws: uWS.WebSocket<unknown>,
    private readonly maxBackpressure: number,
  ) {}

  send(bytes: Uint8Array): boolean {
    if (this.closed) return false;
    let status = 0;
    this.ws.cork(() => {
      status = this.ws.send(bytes, true, false);
    });
    return status !== 2;
  }

  subscribe(topic: string): void {
    if (!this.closed) this.ws.subscribe(topic);
  }

  unsubscribe(topic: string): void {
    if (!this.closed) this.ws.unsubscribe(topic);
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    if (this.ws.getBufferedAmount() < this.maxBackpressure / 2) {
      this.ws.end(code, reason);
      return;
    }
    const timer = setTimeout(() => {
      if (!this.gone) this.ws.close();
    }, CLOSE_DRAIN_TIMEOUT_MS);
    this.pendingClose = { code, reason, timer };
  }

  /** uWS drain callback: finish a deferred close once the buffer has room for the close frame. */
  drained(): void {
    const pending = this.pendingClose;
    if (!pending || this.gone || this.ws.getBufferedAmount() >= this.maxBackpressure / 2) return;
    clearTimeout(pending.timer);
    this.pendingClose = undefined;
    this.ws.end(pending.code, pending.reason);
  }

  forget(): void {
    this.closed = true;
    this.gone = true;
    if (this.pendingClose) clearTimeout(this.pendingClose.timer);
  }
}

export class UwsServer<S> implements Fanout {
  readonly #app: uWS.TemplatedApp;
  #listenSocket: uWS.us_listen_socket | undefined;
  #port = 0;
  handlers: SocketHandlers<S> | undefined;

  constructor(private readonly options: UwsServerOptions) {
    this.#app = uWS.App();
    this.#app.ws<UserData<S>>('/ws', {
      compression: uWS.DISABLED,
      // the core closes anything over maxMessageBytes with 1009; this ceiling only bounds what uWS
      // buffers before asking us (beyond it uWS drops the connection without a close frame)
      maxPayloadLength: options.maxMessageBytes * 8,
      maxBackpressure: options.maxBackpressureBytes,
      closeOnBackpressureLimit: false,
      idleTimeout: options.idleTimeoutS,
      sendPingsAutomatically: true,
      upgrade: (res, req, context) => this.#upgrade(res, req, context),
      open: (ws) => {
        const data = ws.getUserData();
        data.conn = new UwsConn(ws as uWS.WebSocket<unknown>, options.maxBackpressureBytes);
        data.session = this.handlers!.open(data.conn, data.token);
        data.token = undefined;
      },
      message: (ws, message, isBinary) => {
        const data = ws.getUserData();
        if (data.session === undefined) return;
        if (!isBinary) return this.handlers!.textFrame(data.session);
        // the ArrayBuffer is neutered when this callback returns: copy before any await
        this.handlers!.message(data.session, new Uint8Array(message.slice(0)));
      },
      dropped: (ws) => {
        const data = ws.getUserData();
        if (data.session !== undefined) this.handlers!.dropped(data.session);
        if (!data.conn || data.conn.slowReported || data.session === undefined) return;
        data.conn.slowReported = true;
        const session = data.session;
        // not from inside uWS's publish loop: close it on the next turn
        setImmediate(() => {
          if (!data.conn?.closed) this.handlers!.slow(session);
        });
      },
      drain: (ws) => ws.getUserData().conn?.drained(),
      close: (ws) => {
        const data = ws.getUserData();
        data.conn?.forget();
        if (data.session !== undefined) this.handlers!.closed(data.session);
      },
    });
    for (const [path, route] of Object.entries(options.routes)) {
      this.#app.get(path, (res) => {
        let aborted = false;
        res.onAborted(() => {
          aborted = true;
        });
        route().then(
          (reply) => {
            if (aborted) return;
            res.cork(() => {
              res.writeStatus(statusLine(reply.status)).writeHeader('Content-Type', reply.contentType).end(reply.body);
            });
          },
          () => {
            if (!aborted) res.cork(() => res.writeStatus('500 Internal Server Error').end('error'));
          },
        );
      });
    }
    this.#app.any('/*', (res) => {
      res.writeStatus('404 Not Found').end('not found');
    });
  }

  get port(): number {
    return this.#port;
  }

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#app.listen(this.options.host, this.options.port, (socket) => {
        if (!socket) return reject(new Error(`cannot listen on ${this.options.host}:${this.options.port}`));
        this.#listenSocket = socket;
        this.#port = uWS.us_socket_local_port(socket as unknown as uWS.us_socket);
        resolve(this.#port);
      });
    });
  }

  /** Closes the listening socket: open connections stay, new ones are refused by the OS. */
  stopAccepting(): void {
    if (this.#listenSocket) uWS.us_listen_socket_close(this.#listenSocket);
    this.#listenSocket = undefined;
  }

  /** Force-closes everything that is left. */
  close(): void {
    this.stopAccepting();
    this.#app.close();
  }

  publish(topic: string, bytes: Uint8Array): void {
    this.#app.publish(topic, bytes, true, false);
  }

  subscriberCount(topic: string): number {
    return this.#app.numSubscribers(topic);
  }

  #upgrade(res: uWS.HttpResponse, req: uWS.HttpRequest, context: uWS.us_socket_context_t): void {
    const offered = req
      .getHeader('sec-websocket-protocol')
      .split(',')
      .map((p) => p.trim());
    if (!offered.includes(SUBPROTOCOL)) {
      res.writeStatus('400 Bad Request').end(`offer the ${SUBPROTOCOL} subprotocol`);
      return;
    }
    // a token may ride in the subprotocol list; the query string is never read
    const bearer = offered.find((p) => p.startsWith(TOKEN_SUBPROTOCOL_PREFIX));
    const data: UserData<S> = {
      token: bearer?.slice(TOKEN_SUBPROTOCOL_PREFIX.length),
      session: undefined,
      conn: undefined,
    };
    res.upgrade(
      data,
      req.getHeader('sec-websocket-key'),
      SUBPROTOCOL,
      req.getHeader('sec-websocket-extensions'),
      context,
    );
  }
}

function statusLine(status: number): string {
  const text: Record<number, string> = {
    200: 'OK',
    404: 'Not Found',
    500: 'Internal Server Error',
    503: 'Service Unavailable',
  };
  return `${status} ${text[status] ?? 'Status'}`;
}
