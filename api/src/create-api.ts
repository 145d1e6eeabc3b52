import type { AddressInfo } from 'node:net';
import { type Logger, parseConfig, type TokenSigner, type TokenVerifier } from '@commerce/common';
import { createAdaptorServer } from '@hono/node-server';
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Sql } from 'postgres';
import { registerAuthRoutes } from './auth/auth-routes.ts';
import { createAuthenticator } from './auth/authenticator.ts';
import { registerCatalogRoutes } from './catalog/catalog-routes.ts';
import { apiConfigSchema } from './config.ts';
import { ApiError } from './errors.ts';
import type { AppEnv } from './http/app-env.ts';
import { bodyGuard } from './http/body-guard.ts';
import { handleError, validationError } from './http/error-response.ts';
import { requires } from './http/guard.ts';
import { createHttpMetrics, type HttpMetrics } from './http/metrics.ts';
import { registerOpsRoutes } from './http/ops-routes.ts';
import { checkResponses } from './http/response-check.ts';
import type { ApiApp, ApiRuntimeConfig, RouteDeps } from './http/route-deps.ts';
import { registerInventoryRoutes } from './inventory/inventory-routes.ts';
import { registerKitchenRoutes } from './kitchen/kitchen-routes.ts';
import { registerOrderRoutes } from './orders/order-routes.ts';
import { registerPaymentRoutes } from './payments/payment-routes.ts';
import { registerTenancyRoutes } from './tenancy/tenancy-routes.ts';

export interface MountContext {
  sql: Sql;
  logger: Logger;
  /** route middleware: a valid token whose roles grant the permission (sets c.var.principal) */
  requires: typeof requires;
}

export interface ApiDeps {
  /** runtime settings; anything left out takes the schema default */
  config?: Partial<ApiRuntimeConfig>;
  logger: Logger;
  sql: Sql;
  tokenVerifier: TokenVerifier;
  tokenSigner: TokenSigner;
  /**
   * Mount more routes or pages on the same app before it starts (search routes, terminal pages):
   * `mount: (app, ctx) => { app.route('/', searchApp); app.get('/kds', ...) }`. OpenAPIHono
   * sub-apps mounted with app.route() appear in /openapi.json.
   */
  mount?: (app: ApiApp, ctx: MountContext) => void;
}

export interface Api {
  app: ApiApp;
  metrics: HttpMetrics;
  /** listens on API_HOST:API_PORT (0 = a free port) */
  start(): Promise<{ port: number; url: string }>;
  /** not ready → stop accepting → finish in-flight requests (up to 10 s) → close; the pool stays open (not ours) */
  stop(): Promise<void>;
}

const RUNTIME_DEFAULTS = parseConfig(
  apiConfigSchema.pick({
    API_HOST: true,
    API_PORT: true,
    API_BODY_LIMIT_BYTES: true,
    API_VALIDATE_RESPONSES: true,
    API_ORDER_BATCH_MAX: true,
    API_ORDER_BATCH_IN_FLIGHT: true,
    AUTH_STAFF_TOKEN_TTL_S: true,
    AUTH_DEVICE_TOKEN_TTL_S: true,
    AUTH_PRINCIPAL_RECHECK_MS: true,
    HUB_PUBLIC_URL: true,
    HUB_PUBLIC_KEY: true,
  }),
  {},
);

const IDEMPOTENCY_RETENTION = '24 hours';
const IDEMPOTENCY_SWEEP_MS = 10 * 60_000;

export function createApi(deps: ApiDeps): Api {
  const config: ApiRuntimeConfig = { ...RUNTIME_DEFAULTS, ...deps.config };
  const { sql, logger } = deps;
  const metrics = createHttpMetrics();
  const authenticator = createAuthenticator({
    verify: deps.tokenVerifier,
    sql,
    recheckMs: config.AUTH_PRINCIPAL_RECHECK_MS,
  });
  let stopping = false;

  const app: ApiApp = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error, result.target);
    },
  });
  if (config.API_VALIDATE_RESPONSES) checkResponses(app, logger);
  app.onError(handleError(logger));
  app.notFound((c) => c.json({ error: { kind: 'not_found', code: 'http.not_found', message: 'no such route' } }, 404));
  app.use('*', metrics.middleware);
  app.use('*', async (c, next) => {
    c.set('authenticator', authenticator);
    await next();
    if (logger.isLevelEnabled('debug')) {
      logger.debug({ method: c.req.method, path: c.req.path, status: c.res.status }, 'request');
    }
  });
  app.use('*', bodyGuard(config.API_BODY_LIMIT_BYTES));
  app.openAPIRegistry.registerComponent('securitySchemes', 'Bearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT (ES256)',
  });

  let document: unknown;
  const openApiDocument = () => {
    document ??= app.getOpenAPI31Document({
      openapi: '3.1.0',
      info: {
        title: 'Commerce hub API',
        version: '1.0.0',
        description:
          'Orders, stock, kitchen tickets and payments. Ids are decimal strings, money is integer minor ' +
          'units with a currency. Every mutating call accepts an Idempotency-Key header.',
      },
    });
    return document;
  };
  registerOpsRoutes(app, { sql, metrics, isStopping: () => stopping, openApiDocument });

  const routeDeps: RouteDeps = { sql, logger, config, signToken: deps.tokenSigner, authenticator, metrics };
  registerAuthRoutes(app, routeDeps);
  registerTenancyRoutes(app, routeDeps);
  registerCatalogRoutes(app, routeDeps);
  registerInventoryRoutes(app, routeDeps);
  registerOrderRoutes(app, routeDeps);
  registerKitchenRoutes(app, routeDeps);
  registerPaymentRoutes(app, routeDeps);
  deps.mount?.(app, { sql, logger, requires });

  let server: ReturnType<typeof createAdaptorServer> | undefined;
  let sweeper: NodeJS.Timeout | undefined;
  const sweep = () =>
    sql`delete from idempotency_keys where created_at < now() - ${IDEMPOTENCY_RETENTION}::interval`.catch((error) =>
      logger.warn({ err: error }, 'idempotency sweep failed'),
    );

  return {
    app,
    metrics,
    async start() {
      if (server) throw new ApiError('internal', 'api.already_started', 'api already started');
      stopping = false;
      const s = createAdaptorServer({ fetch: app.fetch });
      // Idle keep-alive connections stay open 65 s (Node's default is 5 s): POS terminals and load
      // balancers reuse them, and a connection closed just as a client reuses it is a reset request
      // (ECONNRESET) that the client must send again. Longer than the usual 60 s balancer idle
      // timeout, so the balancer, not the api, closes first.
      if ('keepAliveTimeout' in s) s.keepAliveTimeout = 65_000;
      server = s;
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        // a deep accept queue: a burst of thousands of connections (a flash sale) is queued, not dropped
        s.listen({ port: config.API_PORT, host: config.API_HOST, backlog: 4096 }, () => {
          s.off('error', reject);
          resolve();
        });
      });
      sweeper = setInterval(sweep, IDEMPOTENCY_SWEEP_MS);
      sweeper.unref();
      const { port } = s.address() as AddressInfo;
      const url = `http://${config.API_HOST}:${port}`;
      logger.info({ url }, 'api listening');
      return { port, url };
    },
    async stop() {
      stopping = true;
      clearInterval(sweeper);
      const s = server;
      server = undefined;
      if (!s || !('closeIdleConnections' in s)) return;
      const closed = new Promise<void>((resolve) => s.close(() => resolve()));
      s.closeIdleConnections();
      const force = setTimeout(() => s.closeAllConnections(), 10_000);
      await closed;
      clearTimeout(force);
      logger.info('api stopped');
    },
  };
}
