import { createLogger, createTokenSigner, createTokenVerifier, type Logger } from '@commerce/common';
import postgres, { type Sql } from 'postgres';
import type { ApiConfig } from './config.ts';
import { type Api, type ApiDeps, createApi } from './create-api.ts';

export interface ApiProcess {
  api: Api;
  sql: Sql;
  url: string;
  /** stops the api, then closes its pool */
  stop(): Promise<void>;
}

/**
 * Builds everything the api needs from its parsed config (pool, token verifier and signer,
 * logger) and starts it. Used by main.ts; `npm start` can call it with its own config and mount.
 */
export async function startApiFromConfig(
  config: ApiConfig,
  options: { logger?: Logger; mount?: ApiDeps['mount'] } = {},
): Promise<ApiProcess> {
  const logger = options.logger ?? createLogger('api', config.LOG_LEVEL);
  const sql = postgres(config.DATABASE_URL, {
    max: config.DATABASE_POOL_MAX,
    onnotice: () => {},
    connection: { application_name: 'commerce-api' },
  });
  const keys = { issuer: config.AUTH_JWT_ISSUER, audience: config.AUTH_JWT_AUDIENCE };
  const api = createApi({
    config,
    logger,
    sql,
    tokenVerifier: await createTokenVerifier({ publicKeyPem: config.AUTH_JWT_PUBLIC_KEY, ...keys }),
    tokenSigner: await createTokenSigner({ privateKeyPem: config.AUTH_JWT_PRIVATE_KEY, ...keys }),
    ...(options.mount ? { mount: options.mount } : {}),
  });
  try {
    const { url } = await api.start();
    return {
      api,
      sql,
      url,
      async stop() {
        await api.stop();
        await sql.end({ timeout: 5 });
      },
    };
  } catch (error) {
    await sql.end({ timeout: 1 });
    throw error;
  }
}
