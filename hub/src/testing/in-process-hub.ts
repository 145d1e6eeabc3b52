import type { Logger, TokenVerifier } from '@commerce/common';
import { HubClient, type HubClientOptions } from '@commerce/sdk';
import { importSigningKey } from '@commerce/sdk/wire';
import type { Bus } from '../bus/bus.ts';
import { DEFAULT_HUB_SETTINGS, type HubSettings } from '../create-hub.ts';
import { HubCore } from '../hub-core.ts';
import { createHubMetrics } from '../metrics.ts';
import { NEVER_REVOKED } from '../revocation.ts';
import { TopicRegistry } from '../topic-registry.ts';
import { MemoryFanout, memoryWebSocket } from './memory-transport.ts';

/** The hub's protocol core and topic registry over the in-memory transport, plus SDK clients for it. */
export async function inProcessHub(deps: {
  bus: Bus;
  logger: Logger;
  verify: TokenVerifier;
  signingKeyPem: string;
  signingPublicPem: string;
  settings?: Partial<HubSettings>;
}) {
  const settings = { ...DEFAULT_HUB_SETTINGS, ...deps.settings };
  const fanout = new MemoryFanout();
  let core: HubCore | undefined;
  const metrics = createHubMetrics({
    connections: () => core?.sessions.size ?? 0,
    subscriptions: () => 0,
    topics: () => registry.size,
  });
  const registry = new TopicRegistry({
    bus: deps.bus,
    fanout,
    metrics,
    logger: deps.logger,
    now: Date.now,
    maxFramesPerKey: settings.maxFramesPerKey,
    maxEventsPerFrame: settings.maxEventsPerFrame,
    lingerMs: settings.lingerMs,
  });
  core = new HubCore({
    bus: deps.bus,
    registry,
    verifyToken: deps.verify,
    revocation: NEVER_REVOKED,
    signingKey: await importSigningKey(deps.signingKeyPem),
    metrics,
    logger: deps.logger,
    now: Date.now,
    limits: { ...settings },
  });
  const WebSocket = memoryWebSocket(fanout, () => core!);
  return {
    core,
    registry,
    fanout,
    metrics,
    client(token: string, options: Partial<HubClientOptions> = {}) {
      return new HubClient({ url: 'memory://hub', token, serverKeys: [deps.signingPublicPem], WebSocket, ...options });
    },
    async stop() {
      core?.drain();
      await registry.stop();
    },
  };
}
