import { createLogger } from '@commerce/common';
import { createTestDatabase } from '@commerce/infra/testing';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi } from '../create-api.ts';
import { createTestApi, type SeededMerchant, seedMerchant, type TestApi } from '../testing/fixtures.ts';

const db = await createTestDatabase();
let t: TestApi;
let m: SeededMerchant;

beforeAll(async () => {
  t = await createTestApi(db.sql);
  m = await seedMerchant(db.sql, t.sign, 'ops');
});
afterAll(() => db.drop());

describe('ops endpoints', () => {
  it('/health and /ready', async () => {
    expect(await t.call('GET', '/health')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await t.call('GET', '/ready')).toMatchObject({ status: 200, body: { status: 'ready' } });
  });

  it('/ready is 503 when the database does not answer', async () => {
    const dead = postgres('postgres://nobody:x@127.0.0.1:1/none', { max: 1, connect_timeout: 1, onnotice: () => {} });
    const api = createApi({
      logger: createLogger('dead', 'silent'),
      sql: dead,
      tokenVerifier: async () => {
        throw new Error('unused');
      },
      tokenSigner: async () => 'unused',
    });
    const r = await api.app.request('/ready');
    expect(r.status).toBe(503);
    expect(await r.json()).toEqual({ status: 'not_ready', reason: 'database unavailable' });
    await dead.end({ timeout: 1 });
  });

  it('/metrics counts requests and latency by route pattern and status', async () => {
    await t.call('GET', `/products/${m.products.burger.productId}`, { token: m.staff.cashier.token });
    await t.call('GET', '/products/999999', { token: m.staff.cashier.token });
    const r = await t.call('GET', '/metrics');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/plain');
    const text = r.body as string;
    expect(text).toContain('api_http_requests_total{method="GET",route="/products/:id",status="200"} 1');
    expect(text).toContain('api_http_requests_total{method="GET",route="/products/:id",status="404"} 1');
    expect(text).toContain(
      'api_http_request_duration_seconds_count{method="GET",route="/products/:id",status="200"} 1',
    );
    expect(text).toContain(
      'api_http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/products/:id",status="404"} 1',
    );
    expect(text).not.toContain('route="/products/999999"');
  });

  it('/openapi.json documents every route with schemas and bearer security', async () => {
    const r = await t.call('GET', '/openapi.json');
    expect(r.status).toBe(200);
    const doc = r.body;
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.securitySchemes.Bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    for (const name of ['Order', 'CreateOrder', 'Product', 'StockLevel', 'KitchenTicket', 'Payment', 'Error']) {
      expect(doc.components.schemas[name], name).toBeDefined();
    }
    const create = doc.paths['/orders'].post;
    expect(create.security).toEqual([{ Bearer: [] }]);
    expect(create.parameters.map((p: { name: string }) => p.name)).toContain('idempotency-key');
    expect(Object.keys(create.responses['201'].headers)).toEqual(['Server-Timing', 'Idempotent-Replayed']);
    expect(Object.keys(create.responses)).toEqual(
      expect.arrayContaining(['201', '400', '401', '403', '404', '409', '422']),
    );
    const unsecured = Object.entries(doc.paths as Record<string, Record<string, { security?: unknown }>>)
      .flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => [`${method} ${path}`, op.security]))
      .filter(([, security]) => !security)
      .map(([op]) => op);
    expect(unsecured.sort()).toEqual(['get /health', 'get /metrics', 'get /ready', 'post /auth/login']);
  });

  it('/docs is a self-contained explorer page', async () => {
    const r = await t.call('GET', '/docs');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/html');
    expect(r.body).toContain("fetch('/openapi.json')");
    expect(r.body).not.toMatch(/<(script|link)[^>]+(src|href)="https?:/);
  });
});
