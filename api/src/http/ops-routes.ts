import { createRoute, z } from '@hono/zod-openapi';
import type { Sql } from 'postgres';
import { explorerPage } from './explorer-page.ts';
import type { HttpMetrics } from './metrics.ts';
import type { ApiApp } from './route-deps.ts';
import { json } from './route-helpers.ts';

const tags = ['ops'];
const StatusSchema = z.object({ status: z.string(), reason: z.string().optional() }).openapi('Status');

const healthRoute = createRoute({
  method: 'get',
  path: '/health',
  tags,
  summary: 'Liveness: the process answers',
  responses: { 200: json(StatusSchema, 'alive') },
});

const readyRoute = createRoute({
  method: 'get',
  path: '/ready',
  tags,
  summary: 'Readiness: the database answers and the api is not shutting down',
  responses: { 200: json(StatusSchema, 'ready'), 503: json(StatusSchema, 'not ready') },
});

const metricsRoute = createRoute({
  method: 'get',
  path: '/metrics',
  tags,
  summary: 'Prometheus metrics (request counts and latency by route and status)',
  responses: { 200: { content: { 'text/plain': { schema: z.string() } }, description: 'exposition format' } },
});

export interface OpsDeps {
  sql: Sql;
  metrics: HttpMetrics;
  isStopping: () => boolean;
  openApiDocument: () => unknown;
}

const READY_TIMEOUT_MS = 2000;

export function registerOpsRoutes(app: ApiApp, deps: OpsDeps): void {
  app.openapi(healthRoute, (c) => c.json({ status: 'ok' }, 200));

  app.openapi(readyRoute, async (c) => {
    if (deps.isStopping()) return c.json({ status: 'not_ready', reason: 'shutting down' }, 503);
    try {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('database did not answer in time')), READY_TIMEOUT_MS);
      });
      await Promise.race([deps.sql`select 1`, timeout]).finally(() => clearTimeout(timer));
      return c.json({ status: 'ready' }, 200);
    } catch {
      return c.json({ status: 'not_ready', reason: 'database unavailable' }, 503);
    }
  });

  app.openapi(metricsRoute, async (c) => {
    c.header('Content-Type', deps.metrics.registry.contentType);
    return c.text(await deps.metrics.registry.metrics(), 200);
  });

  app.get('/openapi.json', (c) => c.json(deps.openApiDocument() as Record<string, unknown>));
  app.get('/docs', (c) => c.html(explorerPage()));
}
