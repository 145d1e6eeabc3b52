import { generateKeyPairSync } from 'node:crypto';
import { createApi, hashPin, isTerminalRevoked } from '@commerce/api';
import { cdcConfigSchema, createCdc } from '@commerce/cdc';
import { createLogger, createTokenSigner, createTokenVerifier, parseConfig, type Role } from '@commerce/common';
import { createHub, type HubSettings, MemoryBus } from '@commerce/hub';
import { createTestDatabase } from '@commerce/infra/testing';
import type { Sql } from 'postgres';
// The demo seed is not exported by @commerce/infra (yet); the test reads it from its file.
import { type DemoIds, seedDemo } from '../../../infra/src/seed/demo-seed.ts';
import { createTerminalRoutes } from '../server/terminal-routes.ts';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.ts';

export const ISSUER = 'terminals-e2e';
export const AUDIENCE = 'terminals-e2e';
export const MANAGER_PIN = '2468';

export interface TestSystem {
  /** base URL of the api, which also serves the pages */
  baseUrl: string;
  /** the hub as the browser reaches it: through the proxy */
  hubUrl: string;
  hubPublicKey: string;
  proxy: TcpProxy;
  demo: DemoIds;
  bus: MemoryBus;
  /** the test database (for looking up demo rows and ageing tickets for screenshots) */
  sql: Sql;
  /** sign a token (staff or device) */
  token(request: {
    kind: 'staff' | 'terminal';
    id: string;
    roles: Role[];
    branchIds?: string[];
    stationIds?: string[];
  }): Promise<string>;
  /** call the api as someone */
  call(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  stop(): Promise<void>;
}

function ecKeyPair() {
  return generateKeyPairSync('ec', {
    namedCurve: 'P-256',
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
}

/**
 * The real system in this process, as `npm start` wires it: Postgres (a fresh test database with
 * the demo data), cdc from the WAL onto an in-process bus, the hub on a real port (reached through
 * a TCP proxy the test can cut), and the api with the terminal pages mounted next to its routes.
 */
export async function startTestSystem(options: { hub?: Partial<HubSettings> } = {}): Promise<TestSystem> {
  const logger = createLogger('terminals-e2e', process.env.TEST_LOG_LEVEL ?? 'silent');
  const stops: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => {});
  };
  try {
    const db = await createTestDatabase();
    stops.push(() => db.drop());
    const demo = await seedDemo(db.sql, { retailProducts: 0 });
    await db.sql`update staff_users set pin_hash = ${await hashPin(MANAGER_PIN)}
                 where email = 'manager@demo-bistro.test'`;

    const auth = ecKeyPair();
    const hubKeys = ecKeyPair();
    const tokenVerifier = await createTokenVerifier({
      publicKeyPem: auth.publicKey,
      issuer: ISSUER,
      audience: AUDIENCE,
    });
    const tokenSigner = await createTokenSigner({ privateKeyPem: auth.privateKey, issuer: ISSUER, audience: AUDIENCE });

    const bus = new MemoryBus({ historyMax: 1000, dedupeWindow: 2000 });
    await bus.start();
    stops.push(() => bus.stop());
    const hub = createHub({
      config: { host: '127.0.0.1', port: 0, processMetrics: false, drainTimeoutMs: 200, ...options.hub },
      logger,
      bus,
      tokenVerifier,
      // as npm start wires it: a revoked terminal loses its session at the next recheck
      revocation: {
        isRevoked: (p) => (p.kind === 'terminal' ? isTerminalRevoked(db.sql, p.id, p.merchantId) : false),
      },
      signingKey: hubKeys.privateKey,
    });
    await hub.start();
    stops.push(() => hub.stop());
    const proxy = await startTcpProxy(hub.port);
    stops.push(() => proxy.close());
    const hubUrl = `ws://127.0.0.1:${proxy.port}/ws`;
    const hubPublicKey = (await hub.publicKey()).spkiPem;

    const pages = createTerminalRoutes({ hub: { url: hubUrl, publicKey: hubPublicKey }, logger });
    await pages.ready();
    const api = createApi({
      config: {
        API_HOST: '127.0.0.1',
        API_PORT: 0,
        HUB_PUBLIC_URL: hubUrl,
        HUB_PUBLIC_KEY: hubPublicKey,
        AUTH_PRINCIPAL_RECHECK_MS: 0,
      },
      logger,
      sql: db.sql,
      tokenVerifier,
      tokenSigner,
      mount: (app) => {
        app.route('/', pages.app);
      },
    });
    const { url } = await api.start();
    stops.push(() => api.stop());

    // capture starts after the seed: the demo data is state the pages load from the api
    const cdc = createCdc({
      config: parseConfig(cdcConfigSchema, {
        DATABASE_URL: db.url,
        // slots are per cluster: one per test database
        CDC_SLOT: `terminals_${db.name}`,
        BUS_DRIVER: 'memory',
        CDC_SLOT_CHECK_MS: '100000',
      }),
      logger,
      bus,
      sql: db.sql,
    });
    await cdc.start();
    stops.push(() => cdc.stop());

    const token: TestSystem['token'] = (request) =>
      tokenSigner({ ...request, merchantId: demo.restaurant.merchantId, ttlSeconds: 3600 });
    const call: TestSystem['call'] = async (bearer, method, path, body) => {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${bearer}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    };
    return { baseUrl: url, hubUrl, hubPublicKey, proxy, demo, bus, sql: db.sql, token, call, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
