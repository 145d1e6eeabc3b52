import { generateKeyPairSync } from 'node:crypto';
import { createLogger, createTokenSigner, createTokenVerifier, type TokenRequest } from '@commerce/common';
import { HubClient, type HubClientEvents, type HubClientOptions, type HubEvent } from '@commerce/sdk';
import WebSocket from 'ws';
import type { Bus } from '../bus/bus.ts';
import { createHub, type Hub, type HubSettings } from '../create-hub.ts';
import type { RevocationCheck } from '../revocation.ts';

export const ISSUER = 'test-issuer';
export const AUDIENCE = 'test-audience';

export function ecKeyPair() {
  return generateKeyPairSync('ec', {
    namedCurve: 'P-256',
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
}

/** Keys, a token signer and hub/client factories for tests on a real port; `close()` cleans up all. */
export async function hubFixture() {
  const auth = ecKeyPair();
  const signing = ecKeyPair();
  const sign = await createTokenSigner({ privateKeyPem: auth.privateKey, issuer: ISSUER, audience: AUDIENCE });
  const verify = await createTokenVerifier({ publicKeyPem: auth.publicKey, issuer: ISSUER, audience: AUDIENCE });
  const logger = createLogger('hub-test', process.env.TEST_LOG_LEVEL ?? 'silent');
  const hubs: Hub[] = [];
  const clients: HubClient[] = [];

  const fixture = {
    sign,
    signing,
    logger,
    authPublicKey: auth.publicKey,
    token: (request: Partial<TokenRequest> = {}) =>
      sign({ kind: 'terminal', id: '1', merchantId: '1', roles: ['owner'], ttlSeconds: 600, ...request }),

    async startHub(bus: Bus, config: Partial<HubSettings> = {}, revocation?: RevocationCheck): Promise<Hub> {
      const hub = createHub({
        config: { host: '127.0.0.1', port: 0, processMetrics: false, drainTimeoutMs: 500, ...config },
        logger,
        bus,
        tokenVerifier: verify,
        signingKey: signing.privateKey,
        ...(revocation ? { revocation } : {}),
      });
      await hub.start();
      hubs.push(hub);
      return hub;
    },

    /** An SDK client that records what it sees. */
    client(hub: Hub, token: string, options: Partial<HubClientOptions> = {}) {
      const client = new HubClient({
        url: `ws://127.0.0.1:${hub.port}/ws`,
        token,
        serverKeys: [signing.publicKey],
        WebSocket: WebSocket as unknown as HubClientOptions['WebSocket'],
        reconnect: { initialDelayMs: 20, maxDelayMs: 200 },
        ...options,
      });
      clients.push(client);
      return record(client);
    },

    async close() {
      for (const client of clients) client.close();
      for (const hub of hubs) await hub.stop();
    },
  };
  return fixture;
}

export type RecordedClient = ReturnType<typeof record>;

function record(client: HubClient) {
  const seen = {
    events: [] as HubEvent[],
    states: [] as HubClientEvents['state'][],
    refused: [] as HubClientEvents['refused'][],
    rejected: [] as HubClientEvents['rejected'][],
    recovered: [] as HubClientEvents['recovered'][],
    reload: [] as HubClientEvents['reload-required'][],
    subscribed: [] as HubClientEvents['subscribed'][],
    synced: [] as HubClientEvents['synced'][],
    errors: [] as HubClientEvents['error'][],
  };
  client.on('event', (e) => seen.events.push(e));
  client.on('state', (e) => seen.states.push(e));
  client.on('refused', (e) => seen.refused.push(e));
  client.on('rejected', (e) => seen.rejected.push(e));
  client.on('recovered', (e) => seen.recovered.push(e));
  client.on('reload-required', (e) => seen.reload.push(e));
  client.on('subscribed', (e) => seen.subscribed.push(e));
  client.on('synced', (e) => seen.synced.push(e));
  client.on('error', (e) => seen.errors.push(e));
  return Object.assign(client, { seen });
}

/** Waits until `predicate` holds, polling, failing after a bounded time. */
export async function until(
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const seqs = (client: RecordedClient, topic?: string) =>
  client.seen.events.filter((e) => topic === undefined || e.topic === topic).map((e) => e.position.seq);
