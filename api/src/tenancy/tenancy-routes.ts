import { createRoute } from '@hono/zod-openapi';
import { requires } from '../http/guard.ts';
import { IdempotencyHeaders, mutate } from '../http/idempotency.ts';
import type { ApiApp, RouteDeps } from '../http/route-deps.ts';
import { BEARER_SECURITY, COMMON_ERRORS, json, jsonBody, MUTATION_ERRORS } from '../http/route-helpers.ts';
import { IdParams } from '../http/schemas.ts';
import { scope } from '../http/scope.ts';
import {
  BranchSchema,
  CreateBranchSchema,
  CreateStationSchema,
  MeSchema,
  StationQuerySchema,
  StationSchema,
} from './tenancy-schemas.ts';
import { createBranch, createStation, getBranch, getMe, listBranches, listStations } from './tenancy-service.ts';

const tags = ['tenancy'];

const meRoute = createRoute({
  method: 'get',
  path: '/me',
  tags,
  summary: 'Who the token belongs to and its merchant',
  security: BEARER_SECURITY,
  middleware: requires('tenancy:read'),
  responses: { 200: json(MeSchema, 'the principal and merchant'), ...COMMON_ERRORS },
});

const listBranchesRoute = createRoute({
  method: 'get',
  path: '/branches',
  tags,
  summary: 'Branches the token serves',
  security: BEARER_SECURITY,
  middleware: requires('tenancy:read'),
  responses: { 200: json(BranchSchema.array(), 'branches'), ...COMMON_ERRORS },
});

const getBranchRoute = createRoute({
  method: 'get',
  path: '/branches/{id}',
  tags,
  summary: 'One branch',
  security: BEARER_SECURITY,
  middleware: requires('tenancy:read'),
  request: { params: IdParams },
  responses: { 200: json(BranchSchema, 'the branch'), ...COMMON_ERRORS },
});

const createBranchRoute = createRoute({
  method: 'post',
  path: '/branches',
  tags,
  summary: 'Create a branch',
  security: BEARER_SECURITY,
  middleware: requires('tenancy:write'),
  request: { headers: IdempotencyHeaders, body: jsonBody(CreateBranchSchema) },
  responses: { 201: json(BranchSchema, 'created'), ...MUTATION_ERRORS },
});

const listStationsRoute = createRoute({
  method: 'get',
  path: '/stations',
  tags,
  summary: 'Kitchen stations (optionally of one branch)',
  security: BEARER_SECURITY,
  middleware: requires('tenancy:read'),
  request: { query: StationQuerySchema },
  responses: { 200: json(StationSchema.array(), 'stations'), ...COMMON_ERRORS },
});

const createStationRoute = createRoute({
  method: 'post',
  path: '/stations',
  tags,
  summary: 'Create a kitchen station in a branch',
  security: BEARER_SECURITY,
  middleware: requires('tenancy:write'),
  request: { headers: IdempotencyHeaders, body: jsonBody(CreateStationSchema) },
  responses: { 201: json(StationSchema, 'created'), ...MUTATION_ERRORS },
});

export function registerTenancyRoutes(app: ApiApp, deps: RouteDeps): void {
  const { sql } = deps;
  app.openapi(meRoute, async (c) => c.json(await getMe(sql, scope(c)), 200));
  app.openapi(listBranchesRoute, async (c) => c.json(await listBranches(sql, scope(c)), 200));
  app.openapi(getBranchRoute, async (c) => c.json(await getBranch(sql, scope(c), c.req.valid('param').id), 200));
  app.openapi(createBranchRoute, async (c) => {
    const input = c.req.valid('json');
    return c.json(await mutate(sql, c, 201, input, (tx) => createBranch(tx, scope(c), input)), 201);
  });
  app.openapi(listStationsRoute, async (c) =>
    c.json(await listStations(sql, scope(c), c.req.valid('query').branch_id), 200),
  );
  app.openapi(createStationRoute, async (c) => {
    const input = c.req.valid('json');
    return c.json(await mutate(sql, c, 201, input, (tx) => createStation(tx, scope(c), input)), 201);
  });
}
