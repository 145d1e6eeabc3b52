import type { Logger, Principal, TokenVerifier } from '@commerce/common';
import {
  type ClientMessage,
  CloseCode,
  clientMessageSchema,
  decodePlain,
  deriveSessionSecrets,
  encodePlain,
  FrameType,
  frameType,
  fromBase64,
  generateEphemeral,
  helloSchema,
  Labels,
  PROTOCOL_VERSION,
  PUBLIC_KEY_BYTES,
  parseJson,
  randomBytes,
  SealedReceiver,
  SealedSender,
  type SigningKey,
  signTranscript,
  toBase64Url,
  type Welcome,
  WireError,
} from '@commerce/sdk/wire';
import type { Bus } from './bus/bus.ts';
import type { HubMetrics } from './metrics.ts';
import { takeToken } from './rate-limit.ts';
import { matchesRevocation, type RevocationCheck, type RevocationMatch } from './revocation.ts';
import { Session } from './session.ts';
import { SubscriptionHandler } from './subscriptions.ts';
import type { TopicRegistry } from './topic-registry.ts';
import type { Conn } from './transport.ts';

export interface HubLimits {
  maxMessageBytes: number;
  heartbeatMs: number;
  handshakeTimeoutMs: number;
  clientRatePerS: number;
  clientBurst: number;
  maxSubscriptions: number;
  maxRecover: number;
  rekeyAfter: number;
}

export interface HubCoreDeps {
  bus: Bus;
  registry: TopicRegistry;
  verifyToken: TokenVerifier;
  revocation: RevocationCheck;
  signingKey: SigningKey;
  metrics: HubMetrics;
  logger: Logger;
  limits: HubLimits;
  now: () => number;
}

/**
 * The hub protocol as plain functions over sessions: handshake, sealed control messages,
 * subscriptions, expiry and revocation. It never touches a socket API directly, only `Conn`.
 */
export class HubCore {
  readonly sessions = new Set<Session>();
  readonly #subscriptions: SubscriptionHandler;

  constructor(private readonly deps: HubCoreDeps) {
    this.#subscriptions = new SubscriptionHandler(deps);
  }

  /** A new connection; `protocolToken` is a token offered as a subprotocol, if any. */
  open(conn: Conn, protocolToken?: string): Session {
    const session = new Session(conn, this.deps.now(), protocolToken, this.deps.limits.clientBurst);
    this.sessions.add(session);
    return session;
  }

  /** A client message. Rate and size limits are checked at once; handling is queued per session. */
  message(session: Session, bytes: Uint8Array): void {
    if (session.phase === 'closing' || session.conn.closed) return;
    const { limits } = this.deps;
    if (bytes.length > limits.maxMessageBytes) {
      this.end(session, CloseCode.messageTooBig, 'message too big');
      return;
    }
    if (!takeToken(session.bucket, this.deps.now(), limits.clientRatePerS, limits.clientBurst)) {
      this.end(session, CloseCode.rateLimited, 'rate limited');
      return;
    }
    session.inbox = session.inbox.then(() => this.#handle(session, bytes)).catch((error) => this.#fail(session, error));
  }

  /** A text frame: a protocol error (§1) whatever its bytes say, so they are never parsed. */
  textFrame(session: Session): void {
    if (session.phase === 'closing' || session.conn.closed) return;
    this.end(session, CloseCode.protocolError, 'text frame');
  }

  /** The transport reports the connection closed (by either side). */
  closed(session: Session): void {
    if (!this.sessions.delete(session)) return;
    session.phase = 'closing';
    this.#subscriptions.leaveAll(session, false);
  }

  /** Ends a session with a documented close code; `lostAccess` rotates the keys of its topics. */
  end(session: Session, code: number, reason: string, lostAccess = false): void {
    if (session.phase === 'closing' && session.conn.closed) return;
    session.phase = 'closing';
    this.#subscriptions.leaveAll(session, lostAccess);
    this.deps.metrics.closes.inc({ code: String(code) });
    session.conn.close(code, reason);
    this.sessions.delete(session);
  }

  /**
   * Ends every session matching (revoked terminal or token), then rotates every topic key a
   * matching terminal was handed, connected or not: one revoked while offline still knows the
   * current keys and could read frames captured later, until the timer rotation.
   */
  revoke(match: RevocationMatch): number {
    let count = 0;
    for (const session of [...this.sessions]) {
      if (session.principal && matchesRevocation(session.principal, match)) {
        this.end(session, CloseCode.revoked, 'revoked');
        count++;
      }
    }
    this.deps.registry.rotateHeldBy(match);
    return count;
  }

  /** Periodic housekeeping: handshake timeouts and token expiry. */
  sweep(): void {
    const now = this.deps.now();
    for (const session of [...this.sessions]) {
      if (session.phase === 'hello' && now - session.openedAt > this.deps.limits.handshakeTimeoutMs) {
        this.end(session, CloseCode.handshakeTimeout, 'handshake timeout');
      } else if (session.phase === 'open' && session.principal && now >= session.principal.expiresAt) {
        this.end(session, CloseCode.tokenExpired, 'token expired', true);
      }
    }
  }

  /** Re-asks the revocation check about every open session. */
  async recheckRevocations(): Promise<void> {
    for (const session of [...this.sessions]) {
      const principal = session.principal;
      if (!principal || !session.open) continue;
      try {
        if (await this.deps.revocation.isRevoked(principal)) this.#revoked(session, principal);
      } catch (error) {
        this.deps.logger.warn({ err: error }, 'revocation check failed; will retry');
      }
    }
  }

  /** Tells every terminal to reconnect elsewhere. */
  drain(): void {
    for (const session of [...this.sessions]) this.end(session, CloseCode.serviceRestart, 'service restart');
  }

  async #handle(session: Session, bytes: Uint8Array): Promise<void> {
    if (session.phase === 'closing' || session.conn.closed) return;
    if (session.phase === 'hello') return this.#hello(session, bytes);
    if (session.phase !== 'open' || !session.crypto) throw new WireError('bad_message', 'message during handshake');
    if (frameType(bytes) !== FrameType.sealed) throw new WireError('bad_type', 'expected a sealed message');
    const plaintext = await session.crypto.receiver.open(bytes);
    const parsed = clientMessageSchema.safeParse(parseJson(plaintext));
    if (!parsed.success) throw new WireError('bad_message', parsed.error.issues[0]?.message ?? 'invalid message');
    await this.#dispatch(session, parsed.data);
  }

  async #dispatch(session: Session, message: ClientMessage): Promise<void> {
    switch (message.t) {
      case 'sub':
        // subscriptions run concurrently with later messages; their replies carry the request id
        void this.#subscriptions.subscribe(session, message).catch((error) => this.#fail(session, error));
        return;
      case 'unsub':
        this.#subscriptions.unsubscribe(session, message);
        return;
      case 'ping':
        await session.sendSealed({ t: 'pong', ts: message.ts });
        return;
      case 'auth':
        return this.#reauth(session, message.rid, message.token);
    }
  }

  async #hello(session: Session, bytes: Uint8Array): Promise<void> {
    session.phase = 'handshaking';
    const hello = helloSchema.safeParse(decodePlain(bytes));
    if (!hello.success) throw new WireError('bad_message', 'expected hello');
    const token = hello.data.token ?? session.protocolToken;
    const principal = token ? await this.#verify(token) : undefined;
    if (!principal) return this.#refuse(session, CloseCode.unauthenticated, 'unauthenticated');
    if (this.deps.now() >= principal.expiresAt) return this.#refuse(session, CloseCode.tokenExpired, 'token expired');
    if (await this.deps.revocation.isRevoked(principal)) return this.#refuse(session, CloseCode.revoked, 'revoked');
    const clientKey = fromBase64(hello.data.clientKey);
    if (clientKey.length !== PUBLIC_KEY_BYTES) throw new WireError('bad_key', 'client key must be 65 bytes');
    const ephemeral = await generateEphemeral();
    const transcript = { clientKey, serverKey: ephemeral.publicRaw, sessionId: randomBytes(16) };
    const secrets = await deriveSessionSecrets(ephemeral.privateKey, clientKey, transcript);
    const signature = await signTranscript(this.deps.signingKey.privateKey, transcript);
    if (session.conn.closed) return;
    session.crypto = {
      sender: new SealedSender(secrets, Labels.serverToClient, this.deps.limits.rekeyAfter),
      receiver: new SealedReceiver(secrets, Labels.clientToServer),
    };
    session.principal = principal;
    session.phase = 'open';
    const welcome: Welcome = {
      t: 'welcome',
      v: PROTOCOL_VERSION,
      sessionId: toBase64Url(transcript.sessionId),
      serverKey: toBase64Url(ephemeral.publicRaw),
      signature: toBase64Url(signature),
      signingKeyId: this.deps.signingKey.keyId,
      heartbeatMs: this.deps.limits.heartbeatMs,
      maxMessageBytes: this.deps.limits.maxMessageBytes,
      expiresAt: principal.expiresAt,
      principal: { kind: principal.kind, id: principal.id, merchantId: principal.merchantId },
    };
    session.conn.send(encodePlain(welcome));
    this.deps.metrics.handshakes.inc({ result: 'ok' });
  }

  async #reauth(session: Session, rid: number, token: string): Promise<void> {
    const current = session.principal!;
    const next = await this.#verify(token);
    if (!next || next.kind !== current.kind || next.id !== current.id || next.merchantId !== current.merchantId) {
      return this.end(session, CloseCode.unauthenticated, 'token does not match the session');
    }
    if (await this.deps.revocation.isRevoked(next)) return this.#revoked(session, next);
    session.principal = next;
    this.#subscriptions.reauthorize(session);
    await session.sendSealed({ t: 'authed', rid, expiresAt: next.expiresAt });
  }

  async #verify(token: string): Promise<Principal | undefined> {
    try {
      return await this.deps.verifyToken(token);
    } catch {
      return undefined;
    }
  }

  /**
   * The check says this principal is revoked (it does not say whether the terminal or the token):
   * rotate whatever its terminal was handed, on any session of it, live or gone.
   */
  #revoked(session: Session, principal: Principal): void {
    this.end(session, CloseCode.revoked, 'revoked');
    this.deps.registry.rotateHeldBy({ subject: { kind: principal.kind, id: principal.id } });
  }

  #refuse(session: Session, code: number, reason: string): void {
    this.deps.metrics.handshakes.inc({ result: reason.replace(' ', '_') });
    this.end(session, code, reason);
  }

  #fail(session: Session, error: unknown): void {
    if (session.conn.closed) return;
    if (error instanceof WireError) {
      const integrity = error.code === 'bad_counter' || error.code === 'auth_failed';
      this.deps.logger.debug({ session: session.no, code: error.code }, 'client broke the protocol');
      this.end(session, integrity ? CloseCode.integrityFailure : CloseCode.protocolError, error.code);
      return;
    }
    this.deps.logger.error({ err: error, session: session.no }, 'session failed');
    this.end(session, CloseCode.internalError, 'internal error');
  }
}
