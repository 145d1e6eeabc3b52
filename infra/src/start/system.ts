import type { Logger } from '@commerce/common';
import type { Sql } from 'postgres';
import type { DemoIds } from '../seed/demo-seed.ts';
import type { StartConfig } from './config.ts';
import { type DemoToken, mintDemoTokens } from './demo-tokens.ts';
import type { KeyPair } from './keys.ts';

export const AUTH_ISSUER = 'commerce-hub';
export const AUTH_AUDIENCE = 'commerce-hub';

export interface SystemContext {
  config: StartConfig;
  databaseUrl: string;
  sql: Sql;
  demo: DemoIds;
  keys: { auth: KeyPair; hub: KeyPair };
  redisUrl: string | undefined;
  logger: Logger;
}

export interface RunningSystem {
  urls: Array<[string, string]>;
  demoTokens: DemoToken[];
  stop(): Promise<void>;
}

/** Starts every part in this process, wired together; stop() drains them in reverse order. */
export async function startSystem(ctx: SystemContext): Promise<RunningSystem> {
  const demoTokens = await mintDemoTokens({
    privateKeyPem: ctx.keys.auth.privateKeyPem,
    issuer: AUTH_ISSUER,
    audience: AUTH_AUDIENCE,
    demo: ctx.demo,
    ttlSeconds: ctx.config.DEMO_TOKEN_TTL_HOURS * 3600,
  });
  const stops: Array<() => Promise<void>> = [];
  return {
    urls: [],
    demoTokens,
    async stop() {
      for (const stop of stops.reverse()) await stop();
    },
  };
}
