import uWS from '@based/uws';
import { CloseCode, SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX } from '@commerce/sdk/wire';
import type { Conn, Fanout } from './transport.ts';

/**
 * Everything uWebSockets.js-specific lives in this file: the WebSocket route, backpressure and
 * idle settings, native topic publish, and the HTTP routes. The protocol sits behind `handlers`.
 */
export interface SocketHandlers<S> {
  open(conn: Conn, protocolToken: string | undefined): S;
  message(session: S, bytes: Uint8Array): void;
  closed(session: S): void;
  /** the socket hit the backpressure limit and a message was dropped */
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

class UwsConn implements Conn {
  closed = false;
  slowReported = false;
  constructor(private readonly ws: uWS.WebSocket<unknown>) {}

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
    this.ws.end(code, reason);
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
      maxPayloadLength: options.maxMessageBytes,
      maxBackpressure: options.maxBackpressureBytes,
      closeOnBackpressureLimit: false,
      idleTimeout: options.idleTimeoutS,
      sendPingsAutomatically: true,
      upgrade: (res, req, context) => this.#upgrade(res, req, context),
      open: (ws) => {
        const data = ws.getUserData();
        data.conn = new UwsConn(ws as uWS.WebSocket<unknown>);
        data.session = this.handlers!.open(data.conn, data.token);
        data.token = undefined;
      },
      message: (ws, message) => {
        const data = ws.getUserData();
        // the ArrayBuffer is neutered when this callback returns: copy before any await
        if (data.session !== undefined) this.handlers!.message(data.session, new Uint8Array(message.slice(0)));
      },
      dropped: (ws) => {
        const data = ws.getUserData();
        if (!data.conn || data.conn.slowReported || data.session === undefined) return;
        data.conn.slowReported = true;
        const session = data.session;
        // not from inside uWS's publish loop: close it on the next turn
        setImmediate(() => {
          if (!data.conn?.closed) this.handlers!.slow(session);
        });
      },
      close: (ws) => {
        const data = ws.getUserData();
        if (data.conn) data.conn.closed = true;
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

export const UWS_CLOSE_ON_OVERSIZE = CloseCode.messageTooBig;
