import type { DomainEvent } from '@commerce/common';
import type { ConnectionState, HubClientEvents, HubClientOptions } from './client-types.ts';
import { type ConnectionHandlers, HubConnection, type TopicFrame, type WebSocketConstructor } from './connection.ts';
import { Emitter } from './emitter.ts';
import { TopicStream } from './topic-stream.ts';
import { fromBase64, utf8 } from './wire/bytes.ts';
import { CloseCode, FATAL_CLOSE_CODES } from './wire/close-codes.ts';
import { parseTopicEvents, WireError } from './wire/codec.ts';
import { importPinnedKey, type PinnedKey, type TopicCipher, webTopicCipher } from './wire/crypto.ts';
import { domainEventSchema, type Position, type ServerMessage, type Welcome } from './wire/messages.ts';

interface TopicSub {
  topic: string;
  topicBytes: Uint8Array;
  stream: TopicStream<DomainEvent>;
  /** keys of this topic on the current connection, newest last */
  keys: Map<number, unknown>;
  rid: number;
  /** a since position was sent with the current request (so a reply is a recovery) */
  resuming: boolean;
  outcome: 'pending' | 'fresh' | 'recovered' | 'reload';
}

const KEYS_KEPT = 3;

/**
 * A terminal's connection to the hub: handshake with a pinned server key, subscriptions, decryption,
 * strict ordering, reconnect with backoff and recovery of missed events. Works in browsers and Node.
 */
export class HubClient extends Emitter<HubClientEvents> {
  state: ConnectionState = 'idle';
  readonly #options: HubClientOptions;
  readonly #cipher: TopicCipher;
  readonly #subs = new Map<string, TopicSub>();
  #byId = new Map<number, TopicSub>();
  #connection: HubConnection | undefined;
  #pinned: PinnedKey[] | undefined;
  #attempt = 0;
  #nextRid = 1;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #pinger: ReturnType<typeof setInterval> | undefined;
  #lastHeard = 0;
  #refresher: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;
  #welcome: Welcome | undefined;

  constructor(options: HubClientOptions) {
    super();
    this.#options = options;
    this.#cipher = options.topicCipher ?? (webTopicCipher as TopicCipher);
  }

  /** Connects (and keeps reconnecting); resolves on the first successful handshake. */
  connect(): Promise<void> {
    this.#stopped = false;
    return new Promise((resolve, reject) => {
      const offs = [
        this.on('state', ({ state, code, reason }) => {
          if (state === 'connected') done(() => resolve());
          if (state === 'failed' || state === 'closed')
            done(() => reject(new Error(`hub connection ${state}: ${code} ${reason}`)));
        }),
      ];
      const done = (fn: () => void) => {
        for (const off of offs) off();
        fn();
      };
      void this.#dial();
    });
  }

  /** Follow a topic. `since` resumes from a stored position (else from now on). */
  subscribe(topic: string, options: { since?: Position } = {}): void {
    if (this.#subs.has(topic)) return;
    const sub: TopicSub = {
      topic,
      topicBytes: utf8(topic),
      stream: new TopicStream<DomainEvent>(this.#sink(topic), options.since),
      keys: new Map(),
      rid: 0,
      resuming: false,
      outcome: 'pending',
    };
    this.#subs.set(topic, sub);
    if (this.#connection?.handshaken) this.#request(sub);
  }

  unsubscribe(topic: string): void {
    const sub = this.#subs.get(topic);
    if (!sub) return;
    this.#subs.delete(topic);
    if (this.#connection?.handshaken) this.#connection.send({ t: 'unsub', rid: this.#nextRid++, topic });
  }

  /** The last position delivered on a topic: store it to resume after a restart. */
  position(topic: string): Position | undefined {
    return this.#subs.get(topic)?.stream.last;
  }

  topics(): string[] {
    return [...this.#subs.keys()];
  }

  close(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    clearTimeout(this.#refresher);
    clearInterval(this.#pinger);
    this.#connection?.close(CloseCode.normal, 'client closed');
    this.#setState('closed');
  }

  /** The live connection (tests use it to misbehave on purpose). */
  get connection(): HubConnection | undefined {
    return this.#connection;
  }

  async #dial(): Promise<void> {
    if (this.#stopped) return;
    this.#setState(this.#attempt === 0 && this.state !== 'reconnecting' ? 'connecting' : 'reconnecting');
    try {
      this.#pinned ??= await Promise.all(this.#options.serverKeys.map((key) => importPinnedKey(key)));
      const token = typeof this.#options.token === 'function' ? await this.#options.token() : this.#options.token;
      const WebSocketImpl = this.#options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
      if (!WebSocketImpl) throw new Error('no WebSocket available: pass options.WebSocket');
      const connection = new HubConnection(
        {
          url: this.#options.url,
          token,
          tokenTransport: this.#options.tokenTransport ?? 'message',
          pinned: this.#pinned,
          WebSocket: WebSocketImpl,
          ...(this.#options.rekeyAfter ? { rekeyAfter: this.#options.rekeyAfter } : {}),
          ...(this.#options.agent ? { agent: this.#options.agent } : {}),
          ...(this.#options.onRawFrame ? { onRawFrame: this.#options.onRawFrame } : {}),
        },
        this.#handlers(),
      );
      this.#connection = connection;
      this.#byId = new Map();
      await connection.open();
    } catch (error) {
      this.emit('error', { code: 'connect_failed', message: (error as Error).message, fatal: false });
      this.#scheduleReconnect(undefined);
    }
  }

  #handlers(): ConnectionHandlers {
    return {
      welcome: (welcome) => {
        this.#welcome = welcome;
        this.#attempt = 0;
        this.#scheduleRefresh(welcome.expiresAt);
        this.#lastHeard = Date.now();
        this.#startPinging(this.#options.pingIntervalMs ?? welcome.heartbeatMs);
        this.#setState('connected');
        for (const sub of this.#subs.values()) this.#request(sub);
      },
      message: (message) => this.#onMessage(message),
      frame: (frame) => this.#onFrame(frame),
      closed: (code, reason) => {
        clearInterval(this.#pinger);
        clearTimeout(this.#refresher);
        this.#connection = undefined;
        if (this.#stopped) return;
        if (
          FATAL_CLOSE_CODES.has(code) ||
          (code === CloseCode.tokenExpired && typeof this.#options.token === 'string')
        ) {
          this.emit('error', { code: `closed_${code}`, message: reason, fatal: true });
          this.#stopped = true;
          this.#setState('failed', code, reason);
          return;
        }
        this.#scheduleReconnect(code, reason);
      },
    };
  }

  #request(sub: TopicSub): void {
    const since = sub.stream.subscribing();
    sub.rid = this.#nextRid++;
    sub.resuming = since !== undefined;
    sub.outcome = 'pending';
    this.#connection?.send({ t: 'sub', rid: sub.rid, topic: sub.topic, ...(since ? { since } : {}) });
  }

  async #onMessage(message: ServerMessage): Promise<void> {
    this.#lastHeard = Date.now();
    switch (message.t) {
      case 'key': {
        const sub = this.#subs.get(message.topic);
        if (!sub) return;
        this.#byId.set(message.topicId, sub);
        sub.keys.set(message.keyId, await this.#cipher.importKey(fromBase64(message.key)));
        while (sub.keys.size > KEYS_KEPT) sub.keys.delete(sub.keys.keys().next().value as number);
        return;
      }
      case 'replay': {
        const sub = this.#byId.get(message.topicId);
        if (!sub) return;
        for (const entry of message.entries)
          sub.stream.replayed(entry as { epoch: string; seq: number; event: DomainEvent });
        return;
      }
      case 'subscribed': {
        const sub = this.#subs.get(message.topic);
        if (!sub || sub.rid !== message.rid) return;
        this.#byId.set(message.topicId, sub);
        const recovery = message.recovery;
        sub.stream.confirmed(message.head, recovery ? recovery.recovered : null);
        this.emit('subscribed', { topic: sub.topic, head: message.head });
        if (recovery?.recovered === true) {
          sub.outcome = 'recovered';
          this.emit('recovered', { topic: sub.topic, count: recovery.count });
        } else if (recovery?.recovered === false) {
          sub.outcome = 'reload';
          this.emit('reload-required', { topic: sub.topic, reason: recovery.reason });
        } else {
          sub.outcome = 'fresh';
        }
        this.#maybeSynced();
        return;
      }
      case 'refused':
        if (this.#subs.get(message.topic)?.rid === message.rid) this.#subs.delete(message.topic);
        this.emit('refused', { topic: message.topic, reason: message.reason });
        this.#maybeSynced();
        return;
      case 'unsubscribed':
        if (message.reason === 'access_lost') this.#subs.delete(message.topic);
        this.emit('unsubscribed', { topic: message.topic, reason: message.reason });
        return;
      case 'authed':
        this.#scheduleRefresh(message.expiresAt);
        return;
      case 'pong':
        return;
      case 'error':
        this.emit('error', { code: message.code, message: message.message, fatal: false });
        return;
    }
  }

  async #onFrame(frame: TopicFrame): Promise<void> {
    this.#lastHeard = Date.now();
    const sub = this.#byId.get(frame.topicId);
    if (!sub || this.#subs.get(sub.topic) !== sub) return this.emit('rejected', { reason: 'unknown_topic' });
    const key = sub.keys.get(frame.keyId);
    if (key === undefined) {
      this.emit('rejected', { reason: 'unknown_key', topic: sub.topic });
      return sub.stream.resync();
    }
    const last = sub.stream.last;
    const lastSeq = frame.seq + frame.count - 1;
    // a frame whose every position was already delivered is a replay (a partial overlap is deduplicated per event)
    if (!sub.stream.pending && last && last.seq > 0 && frame.epoch === last.epoch && lastSeq <= last.seq) {
      return this.emit('rejected', { reason: 'replayed', topic: sub.topic });
    }
    const events: DomainEvent[] = [];
    try {
      const plaintext = await this.#cipher.open(key, frame, sub.topicBytes);
      for (const raw of parseTopicEvents(plaintext, frame.count)) {
        const parsed = domainEventSchema.safeParse(raw);
        if (!parsed.success) {
          this.emit('rejected', { reason: 'bad_event', topic: sub.topic });
          return sub.stream.resync();
        }
        events.push(parsed.data as DomainEvent);
      }
    } catch (error) {
      const reason = error instanceof WireError && error.code === 'bad_message' ? 'bad_event' : 'tampered';
      this.emit('rejected', { reason, topic: sub.topic });
      return sub.stream.resync();
    }
    for (let i = 0; i < events.length; i++) {
      sub.stream.live({ epoch: frame.epoch, seq: frame.seq + i, event: events[i]! });
    }
  }

  #sink(topic: string) {
    return {
      deliver: (entry: { epoch: string; seq: number; event: DomainEvent }, replayed: boolean) =>
        this.emit('event', { topic, position: { epoch: entry.epoch, seq: entry.seq }, event: entry.event, replayed }),
      resync: (since: Position) => {
        const sub = this.#subs.get(topic);
        if (!sub || !this.#connection?.handshaken) return;
        sub.rid = this.#nextRid++;
        sub.resuming = true;
        this.#connection.send({ t: 'sub', rid: sub.rid, topic, since });
      },
      duplicate: () => this.emit('rejected', { reason: 'replayed', topic }),
      epochChanged: () => this.emit('reload-required', { topic, reason: 'epoch_changed' }),
    };
  }

  #maybeSynced(): void {
    const subs = [...this.#subs.values()];
    if (subs.some((sub) => sub.outcome === 'pending')) return;
    const named = (outcome: TopicSub['outcome']) => subs.filter((s) => s.outcome === outcome).map((s) => s.topic);
    this.emit('synced', { recovered: named('recovered'), reloadRequired: named('reload'), fresh: named('fresh') });
  }

  /**
   * With a token function, replace the token before it expires (at most 30 s before, or half-way
   * for short-lived tokens), so the session is not ended with 4002.
   */
  #scheduleRefresh(expiresAt: number): void {
    clearTimeout(this.#refresher);
    const source = this.#options.token;
    if (typeof source === 'string') return;
    const remaining = expiresAt - Date.now();
    const delay = Math.max(0, remaining - Math.min(30_000, remaining / 2));
    this.#refresher = setTimeout(async () => {
      const connection = this.#connection;
      if (!connection?.handshaken) return;
      try {
        connection.send({ t: 'auth', rid: this.#nextRid++, token: await source() });
      } catch (error) {
        this.emit('error', { code: 'token_refresh_failed', message: (error as Error).message, fatal: false });
      }
    }, delay);
  }

  #startPinging(intervalMs: number): void {
    clearInterval(this.#pinger);
    this.#pinger = setInterval(() => {
      const connection = this.#connection;
      if (!connection) return;
      if (Date.now() - this.#lastHeard > intervalMs * 2) {
        connection.close(CloseCode.pongTimeout, 'no pong');
        return;
      }
      connection.send({ t: 'ping', ts: Date.now() });
    }, intervalMs);
  }

  #scheduleReconnect(code: number | undefined, reason?: string): void {
    if (this.#stopped) return;
    const policy = this.#options.reconnect;
    if (policy === false) {
      this.#stopped = true;
      this.#setState('closed', code, reason);
      return;
    }
    this.#setState('reconnecting', code, reason);
    const initial = policy?.initialDelayMs ?? 250;
    const max = policy?.maxDelayMs ?? 10_000;
    // a draining server wants us elsewhere now (the first step); otherwise back off exponentially
    const base = code === CloseCode.serviceRestart ? initial : Math.min(max, initial * 2 ** this.#attempt);
    this.#attempt++;
    clearTimeout(this.#timer);
    // equal jitter (half the step fixed, half random): never an instant retry, and a herd of
    // terminals dropped together still spreads over half of each step
    this.#timer = setTimeout(() => void this.#dial(), Math.round(base / 2 + Math.random() * (base / 2)));
  }

  #setState(state: ConnectionState, code?: number, reason?: string): void {
    if (this.state === state && code === undefined) return;
    this.state = state;
    this.emit('state', { state, ...(code !== undefined ? { code } : {}), ...(reason !== undefined ? { reason } : {}) });
  }

  /** What the server said about this session at handshake (principal, expiry, limits). */
  get session(): Welcome | undefined {
    return this.#welcome;
  }
}
