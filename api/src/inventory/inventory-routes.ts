import { createRoute, z } from '@hono/zod-openapi';
import { requires } from '../http/guard.ts';
import { IdempotencyHeaders, mutate } from '../http/idempotency.ts';
import type { ApiApp, RouteDeps } from '../http/route-deps.ts';
import { BEARER_SECURITY, COMMON_ERRORS, json, jsonBody, MUTATION_ERRORS } from '../http/route-helpers.ts';
import { pathParam } from '../http/schemas.ts';
import { scope } from '../http/scope.ts';
import {
  AdjustSchema,
  CountSchema,
  CreateLocationSchema,
  LevelQuerySchema,
  LocationSchema,
  MovementPageSchema,
  MovementQuerySchema,
  ReceiveSchema,
  StockChangeSchema,
  StockLevelPageSchema,
  StockLevelSchema,
  StockSummarySchema,
  ThresholdSchema,
  TransferResultSchema,
  TransferSchema,
} from './inventory-schemas.ts';
import { createLocation, listLocations } from './location-service.ts';
import { listLevels, listMovements, stockOfVariant } from './stock-queries.ts';
import { adjustStock, countStock, receiveStock, setThreshold, transferStock } from './stock-service.ts';

const tags = ['inventory'];
const read = { tags, security: BEARER_SECURITY, middleware: requires('inventory:read') };
const write = { tags, security: BEARER_SECURITY, middleware: requires('inventory:write') };

const routes = {
  listLocations: createRoute({
    method: 'get',
    path: '/locations',
    summary: 'Stock locations',
    ...read,
    responses: { 200: json(LocationSchema.array(), 'locations'), ...COMMON_ERRORS },
  }),
  createLocation: createRoute({
    method: 'post',
    path: '/locations',
    summary: 'Create a stock location',
    ...write,
    request: { headers: IdempotencyHeaders, body: jsonBody(CreateLocationSchema) },
    responses: { 201: json(LocationSchema, 'created'), ...MUTATION_ERRORS },
  }),
  receive: createRoute({
    method: 'post',
    path: '/inventory/receive',
    summary: 'Receive stock (on_hand rises, receipt row in the ledger)',
    ...write,
    request: { headers: IdempotencyHeaders, body: jsonBody(ReceiveSchema) },
    responses: { 200: json(StockChangeSchema, 'received'), ...MUTATION_ERRORS },
  }),
  adjust: createRoute({
    method: 'post',
    path: '/inventory/adjust',
    summary: 'Adjust stock with a reason (adjustment, damage, return)',
    ...write,
    request: { headers: IdempotencyHeaders, body: jsonBody(AdjustSchema) },
    responses: { 200: json(StockChangeSchema, 'adjusted'), ...MUTATION_ERRORS },
  }),
  transfer: createRoute({
    method: 'post',
    path: '/inventory/transfer',
    summary: 'Move available stock between locations (two ledger rows, one transfer_id)',
    ...write,
    request: { headers: IdempotencyHeaders, body: jsonBody(TransferSchema) },
    responses: { 200: json(TransferResultSchema, 'transferred'), ...MUTATION_ERRORS },
  }),
  count: createRoute({
    method: 'post',
    path: '/inventory/count',
    summary: 'Record a physical count (sets on_hand; the ledger row carries the difference)',
    ...write,
    request: { headers: IdempotencyHeaders, body: jsonBody(CountSchema) },
    responses: { 200: json(StockChangeSchema, 'counted'), ...MUTATION_ERRORS },
  }),
  threshold: createRoute({
    method: 'put',
    path: '/inventory/threshold',
    summary: 'Set the low-stock threshold of a SKU (one location or all)',
    ...write,
    request: { headers: IdempotencyHeaders, body: jsonBody(ThresholdSchema) },
    responses: { 200: json(StockLevelSchema.array(), 'levels changed'), ...MUTATION_ERRORS },
  }),
  levels: createRoute({
    method: 'get',
    path: '/inventory/levels',
    summary: 'Stock per SKU per location',
    ...read,
    request: { query: LevelQuerySchema },
    responses: { 200: json(StockLevelPageSchema, 'levels'), ...COMMON_ERRORS },
  }),
  stock: createRoute({
    method: 'get',
    path: '/inventory/stock/{variant_id}',
    summary: 'Stock of one SKU: per location and total',
    ...read,
    request: { params: z.object({ variant_id: pathParam('variant_id') }) },
    responses: { 200: json(StockSummarySchema, 'stock'), ...COMMON_ERRORS },
  }),
  movements: createRoute({
    method: 'get',
    path: '/inventory/movements',
    summary: 'The stock ledger, newest first',
    ...read,
    request: { query: MovementQuerySchema },
    responses: { 200: json(MovementPageSchema, 'movements'), ...COMMON_ERRORS },
  }),
};

export function registerInventoryRoutes(app: ApiApp, deps: RouteDeps): void {
  const { sql } = deps;
  app.openapi(routes.listLocations, async (c) => c.json(await listLocations(sql, scope(c)), 200));
  app.openapi(routes.createLocation, async (c) => {
    const input = c.req.valid('json');
    return c.json(await mutate(sql, c, 201, input, (tx) => createLocation(tx, scope(c), input)), 201);
  });
  app.openapi(routes.receive, async (c) => {
    const input = c.req.valid('json');
    return c.json(await mutate(sql, c, 200, input, (tx) => receiveStock(tx, scope(c), input)), 200);
  });
  app.openapi(routes.adjust, async (c) => {
    const input = c.req.valid('json');
    return c.json(await mutate(sql, c, 200, input, (tx) => adjustStock(tx, scope(c), input)), 200);
  });
  app.openapi(routes.transfer, async (c) => {
    const input = c.req.valid('json');
    return c.json(await mutate(sql, c, 200, input, (tx) => transferStock(tx, scope(c), input)), 200);
  });
  app.openapi(routes.count, async (c) => {
    const input = c.req.valid('json');
    return c.json(await mutate(sql, c, 200, input, (tx) => countStock(tx, scope(c), input)), 200);
  });
  app.openapi(routes.threshold, async (c) => {
    const input = c.req.valid('json');
    return c.json(await mutate(sql, c, 200, input, (tx) => setThreshold(tx, scope(c), input)), 200);
  });
  app.openapi(routes.levels, async (c) => c.json(await listLevels(sql, scope(c), c.req.valid('query')), 200));
  app.openapi(routes.stock, async (c) =>
    c.json(await stockOfVariant(sql, scope(c), c.req.valid('param').variant_id), 200),
  );
  app.openapi(routes.movements, async (c) => c.json(await listMovements(sql, scope(c), c.req.valid('query')), 200));
}
