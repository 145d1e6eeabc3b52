import type { Logger, TokenSigner } from '@commerce/common';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Sql } from 'postgres';
import type { Authenticator } from '../auth/authenticator.ts';
import type { ApiConfig } from '../config.ts';
import type { AppEnv } from './app-env.ts';
import type { HttpMetrics } from './metrics.ts';

/** The settings createApi uses (the rest of ApiConfig builds its dependencies in main.ts). */
export type ApiRuntimeConfig = Pick<
  ApiConfig,
  | 'API_HOST'
  | 'API_PORT'
  | 'API_BODY_LIMIT_BYTES'
  | 'API_VALIDATE_RESPONSES'
  | 'API_ORDER_BATCH_MAX'
  | 'API_ORDER_BATCH_IN_FLIGHT'
  | 'AUTH_STAFF_TOKEN_TTL_S'
  | 'AUTH_DEVICE_TOKEN_TTL_S'
  | 'AUTH_PRINCIPAL_RECHECK_MS'
  | 'HUB_PUBLIC_URL'
  | 'HUB_PUBLIC_KEY'
>;

/** What route modules get: narrow, explicit, no server object. */
export interface RouteDeps {
  sql: Sql;
  logger: Logger;
  config: ApiRuntimeConfig;
  signToken: TokenSigner;
  authenticator: Authenticator;
  metrics: HttpMetrics;
}

export type ApiApp = OpenAPIHono<AppEnv>;
