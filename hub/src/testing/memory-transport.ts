import type { WebSocketConstructor, WebSocketLike } from '@commerce/sdk';
import { SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX } from '@commerce/sdk/wire';
import type { HubCore } from '../hub-core.ts';
import type { Session } from '../session.ts';
import type { Conn, Fanout } from '../transport.ts';

/**
 * The transport in memory: a Fanout and a WebSocket class the SDK can use, wired straight into a
 * HubCore, so protocol tests run in-process without sockets. Delivery is asynchronous and ordered.
 */
export class MemoryFanout implements Fanout {
  readonly topics = new Map<string, Set<MemoryConn>>();
  publishCalls = 0;

  publish(topic: string, bytes: Uint8Array): void {
    this.publishCalls++;
    for (const conn of this.topics.get(topic) ?? []) conn.send(bytes);
  }

  subscriberCount(topic: string): number {
    return this.topics.get(topic)?.size ?? 0;
  }
}

export class MemoryConn implements Conn {
  closed = false;

  constructor(
    private readonly fanout: MemoryFanout,
    private readonly toClient: (bytes: Uint8Array) => void,
    private readonly onClose: (code: number, reason: string) => void,
  ) {}

  send(bytes: Uint8Array): boolean {
    if (this.closed) return false;
    const copy = new Uint8Array(bytes); // a fresh ArrayBuffer: Node Buffers may be views into a shared pool
    queueMicrotask(() => this.toClient(copy));
    return true;
  }

  subscribe(topic: string): void {
    const set = this.fanout.topics.get(topic) ?? new Set<MemoryConn>();
    this.fanout.topics.set(topic, set);
    set.add(this);
  }

  unsubscribe(topic: string): void {
    this.fanout.topics.get(topic)?.delete(this);
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    for (const set of this.fanout.topics.values()) set.delete(this);
    queueMicrotask(() => this.onClose(code, reason));
  }
}

/** A WebSocket class for the SDK whose "server" is the given core. */
export function memoryWebSocket(fanout: MemoryFanout, core: () => HubCore): WebSocketConstructor {
  return class MemoryWebSocket implements WebSocketLike {
    binaryType = 'arraybuffer';
    readyState = 0;
    onopen: WebSocketLike['onopen'] = null;
    onmessage: WebSocketLike['onmessage'] = null;
    onclose: WebSocketLike['onclose'] = null;
    onerror: WebSocketLike['onerror'] = null;
    readonly #conn: MemoryConn;
    readonly #session: Session;

    constructor(_url: string, protocols?: string | string[]) {
      const offered = ([] as string[]).concat(protocols ?? []);
      if (!offered.includes(SUBPROTOCOL)) throw new Error('subprotocol required');
      const token = offered.find((p) => p.startsWith(TOKEN_SUBPROTOCOL_PREFIX))?.slice(TOKEN_SUBPROTOCOL_PREFIX.length);
      this.#conn = new MemoryConn(
        fanout,
        (bytes) => this.onmessage?.({ data: bytes.buffer }),
        (code, reason) => {
          this.readyState = 3;
          core().closed(this.#session);
          this.onclose?.({ code, reason });
        },
      );
      this.#session = core().open(this.#conn, token);
      queueMicrotask(() => {
        this.readyState = 1;
        this.onopen?.({});
      });
    }

    send(data: Uint8Array): void {
      if (this.#conn.closed) return;
      core().message(this.#session, data.slice());
    }

    close(code = 1000, reason = ''): void {
      this.#conn.close(code, reason);
    }
  };
}
