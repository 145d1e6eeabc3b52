import type { Logger, TokenVerifier } from '@commerce/common';
import { CloseCode, DEFAULT_REKEY_AFTER, importSigningKey, type SigningKey, toPem } from '@commerce/sdk/wire';
import type { Bus } from './bus/bus.ts';
import type { HubConfig } from './config.ts';
import { HubCore } from './hub-core.ts';
import { createHubMetrics } from './metrics.ts';
import { NEVER_REVOKED, type RevocationCheck, type RevocationMatch } from './revocation.ts';
import { subscribeRevocations } from './revocation-feed.ts';
import type { Session } from './session.ts';
import { DEFAULT_MAX_EVENTS_PER_FRAME, DEFAULT_MAX_FRAMES_PER_KEY } from './topic-channel.ts';
import { TopicRegistry } from './topic-registry.ts';
import { UwsServer } from './uws-adapter.ts';

export interface HubSettings {
  host: string;
  /** 0 = any free port (see hub.port after start) */
  port: number;
  maxMessageBytes: number;
  maxBackpressureBytes: number;
  heartbeatMs: number;
  handshakeTimeoutMs: number;
  clientRatePerS: number;
  clientBurst: number;
  maxSubscriptions: number;
  topicKeyRotateS: number;
  maxRecover: number;
  revocationRecheckS: number;
  /** on stop, the longest a terminal's 1012 may wait for what is queued ahead of it before it is dropped */
  drainTimeoutMs: number;
  /** sealed control messages per session key generation */
  rekeyAfter: number;
  /** topic frames per topic key before it rotates */
  maxFramesPerKey: number;
  /** events sealed together into one topic frame when they arrive in the same turn; 1 = one per frame */
  maxEventsPerFrame: number;
  /** how long a topic nobody here reads stays subscribed to the bus */
  lingerMs: number;
  /** housekeeping period (handshake timeouts, token expiry, key age) */
  sweepMs: number;
  processMetrics: boolean;
}

export const DEFAULT_HUB_SETTINGS: HubSettings = {
  host: '0.0.0.0',
  port: 3001,
  maxMessageBytes: 16 * 1024,
  maxBackpressureBytes: 1024 * 1024,
  heartbeatMs: 15_000,
  handshakeTimeoutMs: 10_000,
  clientRatePerS: 20,
  clientBurst: 60,
  maxSubscriptions: 64,
  topicKeyRotateS: 600,
  maxRecover: 10_000,
  revocationRecheckS: 60,
  drainTimeoutMs: 5_000,
  rekeyAfter: DEFAULT_REKEY_AFTER,
  maxFramesPerKey: DEFAULT_MAX_FRAMES_PER_KEY,
  maxEventsPerFrame: DEFAULT_MAX_EVENTS_PER_FRAME,
  lingerMs: 30_000,
  sweepMs: 1_000,
  processMetrics: true,
};

export function settingsFromConfig(config: HubConfig): HubSettings {
  return {
    ...DEFAULT_HUB_SETTINGS,
    host: config.HUB_HOST,
    port: config.HUB_PORT,
    maxMessageBytes: config.HUB_MAX_MESSAGE_BYTES,
    maxBackpressureBytes: config.HUB_MAX_BACKPRESSURE_BYTES,
    heartbeatMs: config.HUB_HEARTBEAT_MS,
    handshakeTimeoutMs: config.HUB_HANDSHAKE_TIMEOUT_MS,
    clientRatePerS: config.HUB_CLIENT_RATE_PER_S,
    clientBurst: config.HUB_CLIENT_BURST,
    maxSubscriptions: config.HUB_MAX_SUBSCRIPTIONS,
    topicKeyRotateS: config.HUB_TOPIC_KEY_ROTATE_S,
    maxRecover: config.HUB_MAX_RECOVER,
    revocationRecheckS: config.HUB_REVOCATION_RECHECK_S,
    drainTimeoutMs: config.HUB_DRAIN_TIMEOUT_MS,
    maxEventsPerFrame: config.HUB_MAX_EVENTS_PER_FRAME,
  };
}

export interface HubDeps {
  config?: Partial<HubSettings>;
  logger: Logger;
  /** started and stopped by the caller: several parts of one process may share it */
  bus: Bus;
  tokenVerifier: TokenVerifier;
  revocation?: RevocationCheck;
  /** PKCS#8 PEM of the long-term ECDSA P-256 key, or an imported one */
  signingKey: string | SigningKey;
  now?: () => number;
}

export interface Hub {
  start(): Promise<void>;
  /**
   * Drain: not ready, stop accepting, tell every terminal to reconnect elsewhere (1012) and wait
   * until each has read it (at most `drainTimeoutMs`, then the rest are dropped), then close.
   */
  stop(): Promise<void>;
  /** the bound port (useful with port 0) */
  readonly port: number;
  /** SPKI PEM and key id of the signing key: what terminals pin */
  publicKey(): Promise<{ spkiPem: string; keyId: string }>;
  /**
   * End the sessions of a revoked terminal or token now, and rotate every topic key it was handed,
   * connected or not. Only this instance: revocations committed in Postgres reach every instance by
   * the bus by themselves.
   */
  revoke(match: RevocationMatch): number;
  metricsText(): Promise<string>;
  /** in-process access for tests and the benchmark */
  readonly core: HubCore;
  readonly registry: TopicRegistry;
}

export function createHub(deps: HubDeps): Hub {
  const settings: HubSettings = { ...DEFAULT_HUB_SETTINGS, ...deps.config };
  const now = deps.now ?? Date.now;
  const logger = deps.logger.child({ component: 'hub' });
  let ready = false;
  let signingKey: SigningKey | undefined = typeof deps.signingKey === 'string' ? undefined : deps.signingKey;
  const timers: Array<ReturnType<typeof setInterval>> = [];
  let stopRevocations: (() => Promise<void>) | undefined;

  let core: HubCore;
  const metrics = createHubMetrics(
    {
      connections: () => core.sessions.size,
      subscriptions: () => {
        let n = 0;
        for (const session of core.sessions) n += session.topics.size;
        return n;
      },
      topics: () => registry.size,
    },
    { processMetrics: settings.processMetrics },
  );
  const server = new UwsServer<Session>({
    host: settings.host,
    port: settings.port,
    maxMessageBytes: settings.maxMessageBytes,
    maxBackpressureBytes: settings.maxBackpressureBytes,
    idleTimeoutS: Math.max(8, Math.ceil((settings.heartbeatMs * 2) / 1000)),
    drainTimeoutMs: settings.drainTimeoutMs,
    routes: {
      '/health': async () => ({ status: 200, contentType: 'text/plain', body: 'ok' }),
      '/ready': async () =>
        ready
          ? { status: 200, contentType: 'text/plain', body: 'ready' }
          : { status: 503, contentType: 'text/plain', body: 'not ready' },
      '/metrics': async () => ({
        status: 200,
        contentType: metrics.registry.contentType,
        body: await metrics.registry.metrics(),
      }),
    },
  });
  const registry = new TopicRegistry({
    bus: deps.bus,
    fanout: server,
    metrics,
    logger,
    now,
    maxFramesPerKey: settings.maxFramesPerKey,
    maxEventsPerFrame: settings.maxEventsPerFrame,
    lingerMs: settings.lingerMs,
  });

  const hub: Hub = {
    get port() {
      return server.port;
    },
    get core() {
      return core;
    },
    registry,
    async start() {
      signingKey ??= await importSigningKey(deps.signingKey as string);
      core = new HubCore({
        bus: deps.bus,
        registry,
        verifyToken: deps.tokenVerifier,
        revocation: deps.revocation ?? NEVER_REVOKED,
        signingKey,
        metrics,
        logger,
        now,
        limits: {
          maxMessageBytes: settings.maxMessageBytes,
          heartbeatMs: settings.heartbeatMs,
          handshakeTimeoutMs: settings.handshakeTimeoutMs,
          clientRatePerS: settings.clientRatePerS,
          clientBurst: settings.clientBurst,
          maxSubscriptions: settings.maxSubscriptions,
          maxRecover: settings.maxRecover,
          rekeyAfter: settings.rekeyAfter,
        },
      });
      server.handlers = {
        open: (conn, token) => core.open(conn, token),
        message: (session, bytes) => core.message(session, bytes),
        textFrame: (session) => core.textFrame(session),
        closed: (session) => core.closed(session),
        dropped: () => metrics.drops.inc(),
        slow: (session) => {
          metrics.slowDisconnects.inc();
          core.end(session, CloseCode.slowConsumer, 'slow consumer');
        },
        cut: () => metrics.forcedCloses.inc(),
      };
      // revocations committed in Postgres reach this instance through cdc and the bus
      stopRevocations = await subscribeRevocations({ bus: deps.bus, revoke: (match) => core.revoke(match), logger });
      await server.listen();
      timers.push(
        setInterval(() => {
          core.sweep();
          registry.rotateOlderThan(settings.topicKeyRotateS * 1000);
        }, settings.sweepMs),
        setInterval(() => void core.recheckRevocations(), settings.revocationRecheckS * 1000),
      );
      for (const timer of timers) timer.unref?.();
      ready = true;
      logger.info({ port: server.port, keyId: signingKey.keyId }, 'hub listening');
    },
    async stop() {
      if (!core) return;
      ready = false;
      server.stopAccepting();
      for (const timer of timers.splice(0)) clearInterval(timer);
      core.drain();
      // every terminal gets its 1012 out, or is dropped at the drain timeout, before anything closes
      const cut = await server.closesFinished();
      if (cut > 0) logger.warn({ cut }, 'drain timeout: terminals dropped without their 1012');
      await stopRevocations?.().catch((error) => logger.warn({ err: error }, 'revocations unsubscribe failed'));
      stopRevocations = undefined;
      await registry.stop();
      server.close();
      logger.info('hub stopped');
    },
    async publicKey() {
      signingKey ??= await importSigningKey(deps.signingKey as string);
      return { spkiPem: toPem(signingKey.spki, 'PUBLIC KEY'), keyId: signingKey.keyId };
    },
    revoke: (match) => (core ? core.revoke(match) : 0),
    metricsText: () => metrics.registry.metrics(),
  };
  return hub;
}
