import { join, resolve } from 'node:path';
import { createApi, isTerminalRevoked } from '@commerce/api';
import { type Cdc, createCdc, startMetricsServer } from '@commerce/cdc';
import { createTokenSigner, createTokenVerifier, type Logger } from '@commerce/common';
import { createHub } from '@commerce/hub';
import { type Bus, createBus } from '@commerce/hub/bus';
import { createSearchService, type SearchService } from '@commerce/search';
import { createTerminalRoutes } from '@commerce/terminals';
import type { Sql } from 'postgres';
import { InfraError } from '../errors.ts';
import type { DemoIds } from '../seed/demo-seed.ts';
import { startApiThread } from './api-thread.ts';
import { partTuning, type StartConfig } from './config.ts';
import { type DemoToken, mintDemoTokens } from './demo-tokens.ts';
import type { KeyPair } from './keys.ts';
import { ensureSelfSignedCert } from './tls-cert.ts';
import { startTlsFront } from './tls-front.ts';

export const AUTH_ISSUER = 'commerce-hub';
export const AUTH_AUDIENCE = 'commerce-hub';
/** the api thread's own pool (the main thread's serves capture, search and the hub) */
const API_POOL_MAX = 12;

export interface SystemContext {
  config: StartConfig;
  databaseUrl: string;
  sql: Sql;
  demo: DemoIds;
  keys: { auth: KeyPair; hub: KeyPair };
  redisUrl: string | undefined;
  logger: Logger;
  /** a part failed after the start (the api thread died, capture stopped); default: logged as fatal */
  onFatal?: (error: Error) => void;
}

export interface RunningSystem {
  urls: Array<[string, string]>;
  demoTokens: DemoToken[];
  /** the parts, for introspection (the e2e bench watches the bus and reads cdc/search figures) */
  parts: { bus: Bus; cdc: Cdc; search: SearchService };
  stop(): Promise<void>;
}

/**
 * Every part in this one process, wired together (the embedded defaults of ARCHITECTURE.md):
 * bus → search (index loaded from Postgres) → cdc (pgoutput slot; sinks: bus, search) → hub →
 * api (with the storefront and terminal pages mounted), the api in a worker thread of its own
 * unless API_THREAD=main. The api starts last so nothing is written before capture runs; stop()
 * drains in reverse: api, hub, cdc, search, bus.
 */
export async function startSystem(ctx: SystemContext): Promise<RunningSystem> {
  const { config, sql, logger } = ctx;
  const stops: Array<[string, () => Promise<void>]> = [];
  const stop = async () => {
    for (const [name, fn] of stops.reverse()) {
      await fn().catch((error) => logger.error({ err: error, part: name }, 'stop failed'));
    }
  };
  try {
    // the parts' own tuning as they would read it alone: a bad value stops the start before anything runs
    const tuning = partTuning(process.env, ctx.databaseUrl);
    const auth = { issuer: AUTH_ISSUER, audience: AUTH_AUDIENCE };
    const tokenVerifier = await createTokenVerifier({ publicKeyPem: ctx.keys.auth.publicKeyPem, ...auth });

    const bus = createBus({ driver: config.BUS_DRIVER, redisUrl: ctx.redisUrl, keyPrefix: 'commerce:' }, { logger });
    await bus.start();
    stops.push(['bus', () => bus.stop()]);

    const search = createSearchService({
      sql,
      config: { SEARCH_ENGINE: 'embedded', TYPESENSE_ALIAS: 'products' },
      logger: logger.child({ part: 'search' }),
    });
    await search.start();
    stops.push(['search', () => search.stop()]);

    const cdc = createCdc({
      config: tuning.cdc,
      logger: logger.child({ part: 'cdc' }),
      bus,
      sql,
      sinks: [search.indexer],
      // capture gave up on a change it cannot deliver (it never skips one): without it terminals would
      // silently stop hearing of new orders, so the caller decides (npm start stops everything)
      onFatal: (error) => {
        const reason = error instanceof Error ? error.message : String(error);
        const stopped = new InfraError('internal', 'cdc.stopped', `capture stopped: ${reason}`, { cause: error });
        if (ctx.onFatal) ctx.onFatal(stopped);
        else logger.fatal({ err: error }, stopped.message);
      },
    });
    await cdc.start();
    stops.push(['cdc', () => cdc.stop()]);
    // capture's own /health /ready /metrics (slot lag, retained WAL), as when cdc runs alone
    const cdcHttp = await startMetricsServer({
      host: config.BIND_HOST,
      port: config.CDC_METRICS_PORT,
      registry: cdc.metrics.registry,
      ready: () => cdc.ready,
      healthy: () => !cdc.failed,
    });
    stops.push(['cdc-http', () => cdcHttp.stop()]);

    const hub = createHub({
      config: { host: config.BIND_HOST, port: config.HUB_PORT },
      logger: logger.child({ part: 'hub' }),
      bus,
      tokenVerifier,
      revocation: {
        isRevoked: (principal) =>
          principal.kind === 'terminal' ? isTerminalRevoked(sql, principal.id, principal.merchantId) : false,
      },
      signingKey: ctx.keys.hub.privateKeyPem,
    });
    await hub.start();
    stops.push(['hub', () => hub.stop()]);
    // the api's port is known only once it listens; the front door reads it per request
    const loopback = ['0.0.0.0', '::', ''].includes(config.BIND_HOST) ? '127.0.0.1' : config.BIND_HOST;
    const apiTarget = { host: loopback, port: 0 };
    const front = config.TLS === 'self-signed' ? await startFront(ctx, apiTarget, hub.port) : null;
    if (front) stops.push(['tls-front', () => front.stop()]);
    const hubInfo = {
      url: front ? `wss://${config.PUBLIC_HOST}:${front.port}/ws` : `ws://${config.PUBLIC_HOST}:${hub.port}/ws`,
      publicKey: ctx.keys.hub.publicKeyPem,
    };

    const apiConfig = {
      ...tuning.api,
      API_HOST: config.BIND_HOST,
      API_PORT: config.API_PORT,
      HUB_PUBLIC_URL: hubInfo.url,
      HUB_PUBLIC_KEY: hubInfo.publicKey,
    };
    let apiPort: number;
    if (config.API_THREAD === 'worker') {
      const thread = await startApiThread({
        settings: {
          api: apiConfig,
          databaseUrl: ctx.databaseUrl,
          poolMax: API_POOL_MAX,
          auth: { ...ctx.keys.auth, ...auth },
          hub: hubInfo,
          logLevel: config.LOG_LEVEL,
        },
        served: search.routes,
        logger: logger.child({ part: 'api' }),
        onFatal: ctx.onFatal ?? ((error) => logger.fatal({ err: error }, 'the api thread stopped')),
        maxHeapMb: config.API_THREAD_MAX_HEAP_MB,
      });
      stops.push(['api', () => thread.stop()]);
      apiPort = thread.port;
    } else {
      const pages = createTerminalRoutes({ hub: hubInfo, logger: logger.child({ part: 'terminals' }) });
      const api = createApi({
        config: apiConfig,
        logger: logger.child({ part: 'api' }),
        sql,
        tokenVerifier,
        tokenSigner: await createTokenSigner({ privateKeyPem: ctx.keys.auth.privateKeyPem, ...auth }),
        mount: (app) => {
          app.route('/', search.routes);
          app.route('/', pages.app);
        },
      });
      apiPort = (await api.start()).port;
      stops.push(['api', () => api.stop()]);
      await pages.ready();
    }
    apiTarget.port = apiPort;

    const base = front ? `https://${config.PUBLIC_HOST}:${front.port}` : `http://${config.PUBLIC_HOST}:${apiPort}`;
    const demoTokens = await mintDemoTokens({
      privateKeyPem: ctx.keys.auth.privateKeyPem,
      ...auth,
      demo: ctx.demo,
      ttlSeconds: config.DEMO_TOKEN_TTL_HOURS * 3600,
    });
    return {
      urls: [
        ['API', base],
        ['API explorer', `${base}/docs`],
        ['Kitchen display (KDS)', `${base}/kds`],
        ['Expo view', `${base}/expo`],
        ['POS order board', `${base}/pos`],
        ['Stock alerts feed', `${base}/stock`],
        ['Pair a device', `${base}/pair`],
        ['Storefront search', `${base}/stores/demo-market`],
        ['Restaurant storefront', `${base}/stores/demo-bistro`],
        ['Hub WebSocket', hubInfo.url],
        ['Hub metrics', `http://${config.PUBLIC_HOST}:${hub.port}/metrics`],
        ['Capture (cdc) metrics', `http://${config.PUBLIC_HOST}:${cdcHttp.port}/metrics`],
        ...(front
          ? ([
              ['API over plain http', `http://${config.PUBLIC_HOST}:${apiPort}`],
              ['TLS certificate', `self-signed, SHA-256 ${front.fingerprint256}`],
            ] as Array<[string, string]>)
          : []),
      ],
      demoTokens,
      parts: { bus, cdc, search },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The https front door of `--tls`/`--lan` with the certificate kept in the data folder. */
async function startFront(ctx: SystemContext, api: { host: string; port: number }, hubPort: number) {
  const { config } = ctx;
  const cert = await ensureSelfSignedCert(join(resolve(config.DATA_DIR), 'keys'), [config.PUBLIC_HOST]);
  const front = await startTlsFront({
    host: config.BIND_HOST,
    port: config.HTTPS_PORT,
    certPem: cert.certPem,
    keyPem: cert.keyPem,
    api,
    hub: { host: api.host, port: hubPort },
    logger: ctx.logger.child({ part: 'tls-front' }),
  });
  return { ...front, fingerprint256: cert.fingerprint256 };
}
