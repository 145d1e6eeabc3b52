import { createRoute } from '@hono/zod-openapi';
import { requires } from '../http/guard.ts';
import { IdempotencyHeaders, mutate } from '../http/idempotency.ts';
import type { ApiApp, RouteDeps } from '../http/route-deps.ts';
import { BEARER_SECURITY, COMMON_ERRORS, json, jsonBody, MUTATION_ERRORS } from '../http/route-helpers.ts';
import { ErrorSchema, IdParams } from '../http/schemas.ts';
import { scope } from '../http/scope.ts';
import {
  LoginResultSchema,
  LoginSchema,
  PairedTerminalSchema,
  PairTerminalSchema,
  TerminalQuerySchema,
  TerminalSchema,
} from './auth-schemas.ts';
import { login } from './login-service.ts';
import { createLoginThrottle } from './login-throttle.ts';
import { getTerminal, listTerminals, pairTerminal, revokeTerminal } from './terminal-service.ts';

const tags = ['auth'];

const loginRoute = createRoute({
  method: 'post',
  path: '/auth/login',
  tags,
  summary: 'Staff sign-in: merchant slug + email + PIN → staff token',
  description:
    'Returns a bearer token (ES256 JWT) carrying the staff user’s merchant, roles and branches. ' +
    'Five wrong PINs lock the account for 15 minutes (429). Send it as `Authorization: Bearer <token>`.',
  request: { body: jsonBody(LoginSchema) },
  responses: {
    200: json(LoginResultSchema, 'signed in'),
    400: json(ErrorSchema, 'invalid input'),
    401: json(ErrorSchema, 'unknown merchant or email, wrong PIN, or inactive user'),
    429: json(ErrorSchema, 'too many failed attempts'),
  },
});

const pairRoute = createRoute({
  method: 'post',
  path: '/terminals',
  tags,
  summary: 'Pair a device (POS, KDS, stock feed, staff screen) and mint its device token',
  description:
    'Owner or manager only (a device cannot pair devices). Creates a terminals row and returns the device ' +
    'token, the terminal id, and the hub URL and public key the device pins.',
  security: BEARER_SECURITY,
  middleware: requires('terminals:manage'),
  request: { headers: IdempotencyHeaders, body: jsonBody(PairTerminalSchema) },
  responses: { 201: json(PairedTerminalSchema, 'paired'), ...MUTATION_ERRORS },
});

const listRoute = createRoute({
  method: 'get',
  path: '/terminals',
  tags,
  summary: 'Paired devices',
  security: BEARER_SECURITY,
  middleware: requires('terminals:manage'),
  request: { query: TerminalQuerySchema },
  responses: { 200: json(TerminalSchema.array(), 'terminals'), ...COMMON_ERRORS },
});

const getRoute = createRoute({
  method: 'get',
  path: '/terminals/{id}',
  tags,
  summary: 'One paired device',
  security: BEARER_SECURITY,
  middleware: requires('terminals:manage'),
  request: { params: IdParams },
  responses: { 200: json(TerminalSchema, 'the terminal'), ...COMMON_ERRORS },
});

const revokeRoute = createRoute({
  method: 'post',
  path: '/terminals/{id}/revoke',
  tags,
  summary: 'Revoke a device: its token stops working here and at the hub',
  security: BEARER_SECURITY,
  middleware: requires('terminals:manage'),
  request: { params: IdParams, headers: IdempotencyHeaders },
  responses: { 200: json(TerminalSchema, 'revoked'), ...MUTATION_ERRORS },
});

export function registerAuthRoutes(app: ApiApp, deps: RouteDeps): void {
  const { sql, config } = deps;
  const throttle = createLoginThrottle();
  const hub = { url: config.HUB_PUBLIC_URL ?? null, publicKey: config.HUB_PUBLIC_KEY ?? null };

  app.openapi(loginRoute, async (c) => {
    const input = c.req.valid('json');
    const result = await login(
      { db: sql, signToken: deps.signToken, throttle, ttlSeconds: config.AUTH_STAFF_TOKEN_TTL_S },
      input,
    );
    return c.json(result, 200);
  });

  app.openapi(pairRoute, async (c) => {
    const input = c.req.valid('json');
    const pairing = { signToken: deps.signToken, ttlSeconds: config.AUTH_DEVICE_TOKEN_TTL_S, hub };
    return c.json(await mutate(sql, c, 201, input, (tx) => pairTerminal({ db: tx, ...pairing }, scope(c), input)), 201);
  });

  app.openapi(listRoute, async (c) =>
    c.json(await listTerminals(sql, scope(c), c.req.valid('query').include_revoked === 'true'), 200),
  );

  app.openapi(getRoute, async (c) => c.json(await getTerminal(sql, scope(c), c.req.valid('param').id), 200));

  app.openapi(revokeRoute, async (c) => {
    const { id } = c.req.valid('param');
    const terminal = await mutate(sql, c, 200, { id }, (tx) => revokeTerminal(tx, scope(c), id));
    deps.authenticator.forget('terminal', c.var.principal.merchantId, id);
    return c.json(terminal, 200);
  });
}
