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
  /** a closing connection was dropped without its close frame: what was queued did not drain in time */
  cut(): void;
}

export type HttpRoute = () => Promise<{ status: number; contentType: string; body: string }>;

export interface UwsServerOptions {
  host: string;
  port: number;
  maxMessageBytes: number;
  maxBackpressureBytes: number;
  idleTimeoutS: number;
  /** while draining (after stopAccepting), how long closes may wait for their close frame to get out */
  drainTimeoutMs: number;
  routes: Record<string, HttpRoute>;
}

interface UserData<S> {
  token: string | undefined;
  session: S | undefined;
  conn: UwsConn | undefined;
}

/** Outside a drain, how long a close waits for what is queued ahead of its close frame. */
const CLOSE_TIMEOUT_MS = 5_000;
/** Payload of the ping a closing connection must answer (uWS's own keep-alive pings are empty). */
const CLOSE_PING = 'close';

/** How a close ended: frame `sent`, socket `gone` first (peer left, idle timeout), or `cut` unsent. */
type CloseResult = 'sent' | 'gone' | 'cut';

interface ConnHooks {
  closeTimeoutMs(): number;
  closing(conn: UwsConn): void;
  finished(conn: UwsConn, result: CloseResult): void;
}

/**
 * A close frame goes out only when nothing is queued ahead of it: uWS's buffer is empty and the
 * terminal has answered a ping sent after everything else (so the kernel's buffers are empty too).
 * Then `end()` writes it straight to the socket, and a drain that closes the app right after cannot
 * lose it. A terminal that does not get there in time is dropped without one (`cut`).
 */
class UwsConn implements Conn {
  closed = false;
  slowReported = false;
  /** resolves when the socket is closed, by us or by the peer */
  readonly finished: Promise<CloseResult>;
  #finish: (result: CloseResult) => void = () => {};
  #pending: { code: number; reason: string; pinged: boolean; timer: ReturnType<typeof setTimeout> } | undefined;
  /** what the next uWS close callback means, when we caused it */
  #result: CloseResult = 'gone';
  /** set by the uWS close handler: the ws object must not be touched after it */
  #gone = false;

  constructor(
    private readonly ws: uWS.WebSocket<unknown>,
    private readonly hooks: ConnHooks,
  ) {
    this.finished = new Promise((resolve) => {
      this.#finish = resolve;
    });
  }

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
    const timer = setTimeout(() => this.giveUp(), this.hooks.closeTimeoutMs());
    this.#pending = { code, reason, pinged: false, timer };
    this.hooks.closing(this);
    this.#advance(false);
  }

  /** uWS drain callback. */
  drained(): void {
    this.#advance(false);
  }

  /** uWS pong callback: the terminal has read everything sent before the close ping. */
  ponged(payload: ArrayBuffer): void {
    if (!this.#pending?.pinged || Buffer.from(payload).toString() !== CLOSE_PING) return;
    this.#pending.pinged = false;
    this.#advance(true);
  }

  /** Out of time: the close frame if nothing is queued ahead of it (unconfirmed), else none. */
  giveUp(): void {
    if (!this.#pending || this.#gone) return;
    if (this.ws.getBufferedAmount() === 0) {
      this.#end();
      return;
    }
    clearTimeout(this.#pending.timer);
    this.#pending = undefined;
    this.#result = 'cut';
    this.ws.close();
  }

  /** uWS close callback (also reached from our own end()/close()). */
  forget(): void {
    this.closed = true;
    this.#gone = true;
    if (this.#pending) clearTimeout(this.#pending.timer);
    this.#pending = undefined;
    const result = this.#result;
    // from inside a uWS callback the socket is corked: the close frame is written when it returns,
    // so whoever waits (stop(), then app.close()) must not run before that
    setImmediate(() => {
      this.hooks.finished(this, result);
      this.#finish(result);
    });
  }

  #advance(confirmed: boolean): void {
    const pending = this.#pending;
    if (!pending || this.#gone || this.ws.getBufferedAmount() > 0) return;
    if (confirmed) {
      this.#end();
    } else if (!pending.pinged) {
      pending.pinged = true;
      this.ws.ping(CLOSE_PING);
    }
  }

  #end(): void {
    const pending = this.#pending!;
    clearTimeout(pending.timer);
    this.#pending = undefined;
    this.#result = 'sent';
    this.ws.end(pending.code, pending.reason);
  }
}

export class UwsServer<S> implements Fanout {
  readonly #app: uWS.TemplatedApp;
  #listenSocket: uWS.us_listen_socket | undefined;
  #port = 0;
  #draining = false;
  /** connections asked to close whose socket is still open */
  readonly #closing = new Set<UwsConn>();
  readonly #hooks: ConnHooks;
  handlers: SocketHandlers<S> | undefined;

  constructor(private readonly options: UwsServerOptions) {
    this.#hooks = {
      closeTimeoutMs: () => (this.#draining ? options.drainTimeoutMs : CLOSE_TIMEOUT_MS),
      closing: (conn) => this.#closing.add(conn),
      finished: (conn, result) => {
        this.#closing.delete(conn);
        if (result === 'cut') this.handlers?.cut();
      },
    };
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
        data.conn = new UwsConn(ws as uWS.WebSocket<unknown>, this.#hooks);
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
      pong: (ws, message) => ws.getUserData().conn?.ponged(message),
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

  /**
   * Starts the drain: closes the listening socket (new connections are refused by the OS) and
   * refuses upgrades on HTTP connections opened before; open WebSockets stay.
   */
  stopAccepting(): void {
    this.#draining = true;
    if (this.#listenSocket) uWS.us_listen_socket_close(this.#listenSocket);
    this.#listenSocket = undefined;
  }

  /**
   * Waits until every connection asked to close so far has closed: its close frame sent once the
   * terminal had read everything before it, or the socket gone. At `drainTimeoutMs` the rest are
   * given up on. Resolves with how many were dropped without their close frame.
   */
  async closesFinished(): Promise<number> {
    const closing = [...this.#closing];
    const deadline = setTimeout(() => {
      for (const conn of closing) conn.giveUp();
    }, this.options.drainTimeoutMs);
    const results = await Promise.all(closing.map((conn) => conn.finished));
    clearTimeout(deadline);
    return results.filter((result) => result === 'cut').length;
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
    if (this.#draining) {
      res.writeStatus('503 Service Unavailable').end('draining');
      return;
    }
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
