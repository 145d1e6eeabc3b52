import type { MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export interface HttpMetrics {
  registry: Registry;
  middleware: MiddlewareHandler;
  ordersCreated: Counter<'channel'>;
  ordersRejected: Counter<'code'>;
  orderBatchSize: Histogram;
}

/** Prometheus metrics of one api instance (its own registry, so tests can run several). */
export function createHttpMetrics(): HttpMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'api_' });
  const requests = new Counter({
    name: 'api_http_requests_total',
    help: 'HTTP requests by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'api_http_request_duration_seconds',
    help: 'HTTP request latency by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const ordersCreated = new Counter({
    name: 'api_orders_created_total',
    help: 'orders created (replays not counted)',
    labelNames: ['channel'] as const,
    registers: [registry],
  });
  const ordersRejected = new Counter({
    name: 'api_orders_rejected_total',
    help: 'order creations refused, by error code (e.g. order.insufficient_stock)',
    labelNames: ['code'] as const,
    registers: [registry],
  });

  const orderBatchSize = new Histogram({
    name: 'api_order_batch_size',
    help: 'orders created together in one transaction (group commit)',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128],
    registers: [registry],
  });

  const middleware: MiddlewareHandler = async (c, next) => {
    const started = performance.now();
    await next();
    // a route that reports its parts (POST /orders) also gets the whole time inside the api:
    // middleware (auth, idempotency, validation) included
    const timing = c.res.headers.get('Server-Timing');
    if (timing) c.res.headers.set('Server-Timing', `${timing}, total;dur=${(performance.now() - started).toFixed(2)}`);
    const labels = { method: c.req.method, route: routeLabel(c), status: String(c.res.status) };
    requests.inc(labels);
    duration.observe(labels, (performance.now() - started) / 1000);
  };
  return { registry, middleware, ordersCreated, ordersRejected, orderBatchSize };
}

/** The matched route pattern (`/orders/:id`), never the raw path: labels must stay few. */
function routeLabel(c: Parameters<MiddlewareHandler>[0]): string {
  const routes = matchedRoutes(c);
  for (let i = routes.length - 1; i >= 0; i--) {
    const route = routes[i]!;
    if (route.method !== 'ALL') return route.path;
  }
  return '(unmatched)';
}
