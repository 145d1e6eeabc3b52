import { createRoute } from '@hono/zod-openapi';
import { requires } from '../http/guard.ts';
import { IdempotencyHeaders, mutate } from '../http/idempotency.ts';
import type { ApiApp, RouteDeps } from '../http/route-deps.ts';
import { BEARER_SECURITY, COMMON_ERRORS, json, jsonBody, MUTATION_ERRORS } from '../http/route-helpers.ts';
import { IdParams } from '../http/schemas.ts';
import { scope } from '../http/scope.ts';
import { CreatePaymentSchema, FailPaymentSchema, PaymentQuerySchema, PaymentSchema } from './payment-schemas.ts';
import { createPayment, failPayment, getPayment, listPayments, succeedPayment } from './payment-service.ts';

const tags = ['payments'];
const read = { tags, security: BEARER_SECURITY, middleware: requires('payments:read') };
const write = { tags, security: BEARER_SECURITY, middleware: requires('payments:write') };

const routes = {
  create: createRoute({
    method: 'post',
    path: '/payments',
    summary: 'Start a payment for an order’s total (simulated provider: pending)',
    ...write,
    request: { headers: IdempotencyHeaders, body: jsonBody(CreatePaymentSchema) },
    responses: { 201: json(PaymentSchema, 'pending'), ...MUTATION_ERRORS },
  }),
  list: createRoute({
    method: 'get',
    path: '/payments',
    summary: 'Payments of an order',
    ...read,
    request: { query: PaymentQuerySchema },
    responses: { 200: json(PaymentSchema.array(), 'payments'), ...COMMON_ERRORS },
  }),
  get: createRoute({
    method: 'get',
    path: '/payments/{id}',
    summary: 'One payment',
    ...read,
    request: { params: IdParams },
    responses: { 200: json(PaymentSchema, 'the payment'), ...COMMON_ERRORS },
  }),
  succeed: createRoute({
    method: 'post',
    path: '/payments/{id}/succeed',
    summary: 'Simulate the provider approving (pending → succeeded; the order becomes paid)',
    ...write,
    request: { params: IdParams, headers: IdempotencyHeaders },
    responses: { 200: json(PaymentSchema, 'succeeded'), ...MUTATION_ERRORS },
  }),
  fail: createRoute({
    method: 'post',
    path: '/payments/{id}/fail',
    summary: 'Simulate the provider declining (pending → failed)',
    ...write,
    request: {
      params: IdParams,
      headers: IdempotencyHeaders,
      body: { ...jsonBody(FailPaymentSchema), required: false },
    },
    responses: { 200: json(PaymentSchema, 'failed'), ...MUTATION_ERRORS },
  }),
};

export function registerPaymentRoutes(app: ApiApp, deps: RouteDeps): void {
  const { sql } = deps;
  app.openapi(routes.create, async (c) => {
    const input = c.req.valid('json');
    return c.json(await mutate(sql, c, 201, input, (tx) => createPayment(tx, scope(c), input.order_id)), 201);
  });
  app.openapi(routes.list, async (c) => c.json(await listPayments(sql, scope(c), c.req.valid('query').order_id), 200));
  app.openapi(routes.get, async (c) => c.json(await getPayment(sql, scope(c), c.req.valid('param').id), 200));
  app.openapi(routes.succeed, async (c) => {
    const { id } = c.req.valid('param');
    return c.json(await mutate(sql, c, 200, { id }, (tx) => succeedPayment(tx, scope(c), id)), 200);
  });
  app.openapi(routes.fail, async (c) => {
    const { id } = c.req.valid('param');
    const { reason } = FailPaymentSchema.parse(c.req.valid('json') ?? {});
    return c.json(await mutate(sql, c, 200, { id, reason }, (tx) => failPayment(tx, scope(c), id, reason)), 200);
  });
}
