import { createRoute } from '@hono/zod-openapi';
import { requires } from '../http/guard.ts';
import { IdempotencyHeaders, mutate } from '../http/idempotency.ts';
import type { ApiApp, RouteDeps } from '../http/route-deps.ts';
import { BEARER_SECURITY, COMMON_ERRORS, json, jsonBody, MUTATION_ERRORS } from '../http/route-helpers.ts';
import { IdParams } from '../http/schemas.ts';
import { scope } from '../http/scope.ts';
import { ItemStatusSchema, TicketQuerySchema, TicketSchema } from './kitchen-schemas.ts';
import { bumpTicket, getTicket, listTickets, recallTicket, setItemStatus } from './kitchen-service.ts';

const tags = ['kitchen'];
const read = { tags, security: BEARER_SECURITY, middleware: requires('kitchen:read') };
const write = { tags, security: BEARER_SECURITY, middleware: requires('kitchen:write') };

const routes = {
  list: createRoute({
    method: 'get',
    path: '/kitchen/tickets',
    summary: 'Tickets of a station or branch (open by default, oldest first)',
    ...read,
    request: { query: TicketQuerySchema },
    responses: { 200: json(TicketSchema.array(), 'tickets'), ...COMMON_ERRORS },
  }),
  get: createRoute({
    method: 'get',
    path: '/kitchen/tickets/{id}',
    summary: 'One ticket with its items',
    ...read,
    request: { params: IdParams },
    responses: { 200: json(TicketSchema, 'the ticket'), ...COMMON_ERRORS },
  }),
  bump: createRoute({
    method: 'post',
    path: '/kitchen/tickets/{id}/bump',
    summary: 'Bump a ticket (open → bumped)',
    ...write,
    request: { params: IdParams, headers: IdempotencyHeaders },
    responses: { 200: json(TicketSchema, 'bumped'), ...MUTATION_ERRORS },
  }),
  recall: createRoute({
    method: 'post',
    path: '/kitchen/tickets/{id}/recall',
    summary: 'Recall a bumped ticket (bumped → open)',
    ...write,
    request: { params: IdParams, headers: IdempotencyHeaders },
    responses: { 200: json(TicketSchema, 'recalled'), ...MUTATION_ERRORS },
  }),
  advance: createRoute({
    method: 'post',
    path: '/kitchen/items/{id}/advance',
    summary: 'Advance an item one step (queued → preparing → ready → served)',
    ...write,
    request: { params: IdParams, headers: IdempotencyHeaders },
    responses: { 200: json(TicketSchema, 'the item’s ticket'), ...MUTATION_ERRORS },
  }),
  setStatus: createRoute({
    method: 'patch',
    path: '/kitchen/items/{id}',
    summary: 'Move an item forward to a given status',
    ...write,
    request: { params: IdParams, headers: IdempotencyHeaders, body: jsonBody(ItemStatusSchema) },
    responses: { 200: json(TicketSchema, 'the item’s ticket'), ...MUTATION_ERRORS },
  }),
};

export function registerKitchenRoutes(app: ApiApp, deps: RouteDeps): void {
  const { sql } = deps;
  app.openapi(routes.list, async (c) => c.json(await listTickets(sql, scope(c), c.req.valid('query')), 200));
  app.openapi(routes.get, async (c) => c.json(await getTicket(sql, scope(c), c.req.valid('param').id), 200));
  app.openapi(routes.bump, async (c) => {
    const { id } = c.req.valid('param');
    return c.json(await mutate(sql, c, 200, { id }, (tx) => bumpTicket(tx, scope(c), id)), 200);
  });
  app.openapi(routes.recall, async (c) => {
    const { id } = c.req.valid('param');
    return c.json(await mutate(sql, c, 200, { id }, (tx) => recallTicket(tx, scope(c), id)), 200);
  });
  app.openapi(routes.advance, async (c) => {
    const { id } = c.req.valid('param');
    return c.json(await mutate(sql, c, 200, { id }, (tx) => setItemStatus(tx, scope(c), id, 'next')), 200);
  });
  app.openapi(routes.setStatus, async (c) => {
    const { id } = c.req.valid('param');
    const input = c.req.valid('json');
    return c.json(await mutate(sql, c, 200, input, (tx) => setItemStatus(tx, scope(c), id, input.status)), 200);
  });
}
