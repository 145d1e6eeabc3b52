import { createRoute, z } from '@hono/zod-openapi';
import { toAppError } from '../errors.ts';
import { requires } from '../http/guard.ts';
import { IdempotencyHeaders, idempotencyRequest, mutate, REPLAYED_HEADER } from '../http/idempotency.ts';
import type { ApiApp, RouteDeps } from '../http/route-deps.ts';
import { BEARER_SECURITY, COMMON_ERRORS, json, jsonBody, MUTATION_ERRORS } from '../http/route-helpers.ts';
import { IdParams } from '../http/schemas.ts';
import { scope } from '../http/scope.ts';
import { createOrderBatcher } from './order-batcher.ts';
import { type OrderAction, transitionOrder } from './order-lifecycle.ts';
import { CreateOrderSchema, OrderPageSchema, OrderQuerySchema, OrderSchema } from './order-schemas.ts';
import { getOrder, listOrders, type OrderTiming } from './order-service.ts';

const tags = ['orders'];
const read = { tags, security: BEARER_SECURITY, middleware: requires('orders:read') };
const write = { tags, security: BEARER_SECURITY, middleware: requires('orders:write') };

const transitionRoute = (action: OrderAction, summary: string) =>
  createRoute({
    method: 'post',
    path: `/orders/{id}/${action}`,
    summary,
    ...write,
    request: { params: IdParams, headers: IdempotencyHeaders },
    responses: { 200: json(OrderSchema, 'the order after the move'), ...MUTATION_ERRORS },
  });

const CreatedOrderHeaders = z.object({
  'Server-Timing': z.string().openapi({
    description:
      'how the order was made (ms): `wait` for a free database call, `db` the call (`desc`: "batch of N" ' +
      'orders created together), `app` the whole handler, `total` the request inside the api (middleware included)',
    example: 'wait;dur=0.02, db;dur=2.31;desc="batch of 1", app;dur=2.60, total;dur=3.05',
  }),
  'Idempotent-Replayed': z.literal('true').optional().openapi({
    description: 'present when this is the stored first response to an earlier request with this Idempotency-Key',
  }),
});

const routes = {
  create: createRoute({
    method: 'post',
    path: '/orders',
    summary: 'Create an order: snapshots from the catalog, stock reserved for every line or none',
    description:
      '1..100 lines, 1..9,999 each. Short stock gives 409 with `details.short` naming each SKU, what was asked ' +
      'and what is available. One kitchen ticket is created per station that prepares any of the items.',
    ...write,
    request: { headers: IdempotencyHeaders, body: jsonBody(CreateOrderSchema) },
    responses: {
      201: { ...json(OrderSchema, 'created (or the first response, replayed)'), headers: CreatedOrderHeaders },
      ...MUTATION_ERRORS,
    },
  }),
  list: createRoute({
    method: 'get',
    path: '/orders',
    summary: 'Orders, newest first',
    ...read,
    request: { query: OrderQuerySchema },
    responses: { 200: json(OrderPageSchema, 'a page of orders'), ...COMMON_ERRORS },
  }),
  get: createRoute({
    method: 'get',
    path: '/orders/{id}',
    summary: 'One order with its lines',
    ...read,
    request: { params: IdParams },
    responses: { 200: json(OrderSchema, 'the order'), ...COMMON_ERRORS },
  }),
  pay: transitionRoute('pay', 'Mark paid (created → paid; the reservation is kept)'),
  cancel: transitionRoute('cancel', 'Cancel before fulfilment (created|paid → cancelled; releases stock)'),
  fulfil: transitionRoute('fulfil', 'Fulfil (paid → fulfilled; commits stock: on_hand drops, sale rows)'),
  complete: transitionRoute('complete', 'Complete (fulfilled|paid → completed; commits stock if not yet)'),
};

export function registerOrderRoutes(app: ApiApp, deps: RouteDeps): void {
  const { sql, metrics } = deps;
  const batcher = createOrderBatcher({
    sql,
    logger: deps.logger,
    maxBatch: deps.config.API_ORDER_BATCH_MAX,
    maxInFlight: deps.config.API_ORDER_BATCH_IN_FLIGHT,
    onBatch: (size) => metrics.orderBatchSize.observe(size),
  });

  app.openapi(routes.create, async (c) => {
    const input = c.req.valid('json');
    const startedAt = performance.now();
    try {
      const result = await batcher.create(scope(c), input, idempotencyRequest(c, input));
      if (result.timing) c.header('Server-Timing', serverTiming(result.timing, performance.now() - startedAt));
      if (result.replayed) c.header(REPLAYED_HEADER, 'true');
      else metrics.ordersCreated.inc({ channel: input.channel });
      // the body is already JSON text from Postgres: sent as is, not parsed and re-serialized
      return c.body(result.body, result.status as 201, { 'Content-Type': 'application/json' }) as never;
    } catch (error) {
      metrics.ordersRejected.inc({ code: toAppError(error).code });
      throw error;
    }
  });

  app.openapi(routes.list, async (c) => c.json(await listOrders(sql, scope(c), c.req.valid('query')), 200));
  app.openapi(routes.get, async (c) => c.json(await getOrder(sql, scope(c), c.req.valid('param').id), 200));

  for (const action of ['pay', 'cancel', 'fulfil', 'complete'] as const) {
    app.openapi(routes[action], async (c) => {
      const { id } = c.req.valid('param');
      return c.json(await mutate(sql, c, 200, { id }, (tx) => transitionOrder(tx, scope(c), id, action)), 200);
    });
  }
}

/**
 * Server-Timing (shown by browsers' developer tools, read by bench:e2e): `wait` for a free database
 * call, `db` that call (`desc` = orders it created together; after a rolled-back batch, both calls),
 * `app` the handler from validated input to response.
 */
function serverTiming(t: OrderTiming, appMs: number): string {
  const desc = t.afterBatch ? `batch of ${t.batch} rolled back, then alone` : `batch of ${t.batch}`;
  return `wait;dur=${t.waitMs.toFixed(2)}, db;dur=${t.dbMs.toFixed(2)};desc="${desc}", app;dur=${appMs.toFixed(2)}`;
}
