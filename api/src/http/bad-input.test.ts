import { createTestDatabase } from '@commerce/infra/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApi, type SeededMerchant, seedMerchant, stockOf, type TestApi } from '../testing/fixtures.ts';

const db = await createTestDatabase();
let t: TestApi;
let m: SeededMerchant;

beforeAll(async () => {
  t = await createTestApi(db.sql, {
    config: { API_VALIDATE_RESPONSES: true, AUTH_PRINCIPAL_RECHECK_MS: 0, API_BODY_LIMIT_BYTES: 64 * 1024 },
    mount: (app) => {
      app.get('/boom', async () => {
        await db.sql`select * from no_such_table`;
        return new Response('unreachable');
      });
    },
  });
  m = await seedMerchant(db.sql, t.sign, 'bad');
});
afterAll(() => db.drop());

const written = async () =>
  (
    await db.sql<{ n: number }[]>`select (select count(*) from orders) + (select count(*) from order_lines)
                                   + (select count(*) from reservations) + (select count(*) from kitchen_tickets)
                                   + (select count(*) from kitchen_ticket_items) + (select count(*) from payments)
                                   + (select count(*) from idempotency_keys) + (select count(*) from stock_movements)
                                   + (select count(*) from products) + (select count(*) from product_variants) as n`
  )[0]!.n;
const line = (quantity: unknown = 1, extra: Record<string, unknown> = {}) => ({
  variant_id: m.products.burger.variantId,
  quantity,
  ...extra,
});
const postOrder = (body: unknown) =>
  t.call('POST', '/orders', { token: m.staff.cashier.token, body, idempotencyKey: `k-${Math.random()}` });
const order = (lines: unknown[], extra: Record<string, unknown> = {}) =>
  postOrder({ channel: 'pos', branch_id: m.branchId, lines, ...extra });

describe('bad input → 4xx with a clear message, nothing written', () => {
  let before: number;
  beforeEach(async () => {
    before = await written();
  });
  // checked after every case, so a case that writes is named
  afterEach(async () => {
    expect(await written()).toBe(before);
    expect(await stockOf(db.sql, m.products.burger.variantId, m.locationId)).toEqual({
      on_hand: 50,
      reserved: 0,
      available: 50,
    });
  });

  it('malformed JSON', async () => {
    const r = await t.call('POST', '/orders', { token: m.staff.cashier.token, raw: '{"channel": "pos", "lines": [' });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/malformed json/i);
  });

  it('no JSON content type', async () => {
    const r = await t.call('POST', '/orders', {
      token: m.staff.cashier.token,
      raw: 'channel=pos',
      headers: { 'content-type': 'text/plain' },
    });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('http.unsupported_media_type');
  });

  it('wrong types name the field path', async () => {
    const quantity = await order([line('2')]);
    expect(quantity.status).toBe(400);
    expect(quantity.body.error.issues[0].path).toBe('body.lines.0.quantity');
    const numericId = await order([{ variant_id: 12, quantity: 1 }]);
    expect(numericId.status).toBe(400);
    expect(numericId.body.error.issues[0].path).toBe('body.lines.0.variant_id');
    const channel = await order([line()], { channel: 'drive-thru' });
    expect(channel.body.error.issues[0].path).toBe('body.channel');
    const notObject = await postOrder([1, 2, 3]);
    expect(notObject.status).toBe(400);
  });

  it('unknown fields are rejected, top level and nested (no client prices)', async () => {
    const top = await order([line()], { discount: 100 });
    expect(top.status).toBe(400);
    expect(top.body.error.message).toContain('discount');
    const nested = await order([line(1, { unit_price: 1 })]);
    expect(nested.status).toBe(400);
    expect(nested.body.error.issues[0]).toEqual({
      path: 'body.lines.0',
      message: expect.stringContaining('unit_price'),
    });
  });

  it('0 lines and 101 lines', async () => {
    expect((await order([])).status).toBe(400);
    const many = await order(Array.from({ length: 101 }, () => line()));
    expect(many.status).toBe(400);
    expect(many.body.error.message).toContain('at most 100 lines');
  });

  it('quantity 0, 10,000, negative, fractional', async () => {
    for (const quantity of [0, 10_000, -1, 1.5]) {
      const r = await order([line(quantity)]);
      expect(r.status, String(quantity)).toBe(400);
      expect(r.body.error.issues[0].path).toBe('body.lines.0.quantity');
    }
  });

  it('a declared Content-Length over the limit → 413 without reading the body', async () => {
    const r = await t.call('POST', '/orders', {
      token: m.staff.cashier.token,
      raw: JSON.stringify({ channel: 'pos', branch_id: m.branchId, lines: [line()] }),
      headers: { 'content-length': String(10 * 1024 * 1024) },
    });
    expect(r.status).toBe(413);
  });

  it('a huge body → 413', async () => {
    const r = await order([line(1, { note: 'x'.repeat(100_000) })]);
    expect(r.status).toBe(413);
    expect(r.body.error.kind).toBe('payload_too_large');
  });

  it('bad ids and unknown query parameters', async () => {
    for (const path of ['/orders/abc', '/orders/0', '/orders/99999999999999999999', '/orders/-1']) {
      const r = await t.call('GET', path, { token: m.staff.cashier.token });
      expect(r.status, path).toBe(400);
      expect(r.body.error.issues[0].path).toBe('param.id');
    }
    const q = await t.call('GET', '/orders?stauts=open', { token: m.staff.cashier.token });
    expect(q.status).toBe(400);
    expect(q.body.error.message).toContain('stauts');
    const limit = await t.call('GET', '/orders?limit=1000', { token: m.staff.cashier.token });
    expect(limit.status).toBe(400);
  });

  it('catalog and stock input', async () => {
    const price = await t.call('POST', '/products', {
      token: m.staff.owner.token,
      body: { name: 'Bad', variants: [{ sku: 'B-1', price: { amount: -5, currency: 'USD' } }] },
    });
    expect(price.status).toBe(400);
    expect(price.body.error.issues[0].path).toBe('body.variants.0.price.amount');
    const currency = await t.call('POST', '/products', {
      token: m.staff.owner.token,
      body: { name: 'Bad', variants: [{ sku: 'B-1', price: { amount: 5, currency: 'usd' } }] },
    });
    expect(currency.body.error.issues[0].path).toBe('body.variants.0.price.currency');
    const damage = await t.call('POST', '/inventory/adjust', {
      token: m.staff.stock_clerk.token,
      body: { variant_id: m.products.burger.variantId, location_id: m.locationId, delta: 3, reason: 'damage' },
    });
    expect(damage.status).toBe(400);
    expect(damage.body.error.issues[0].path).toBe('body.delta');
  });
});

describe('no internals leak', () => {
  it('a database failure is a bare 500: no SQL, no stack', async () => {
    const r = await t.call('GET', '/boom');
    expect(r.status).toBe(500);
    expect(r.body).toEqual({ error: { kind: 'internal', code: 'internal', message: 'internal error' } });
  });

  it('a refused stock change explains itself without SQL text', async () => {
    const r = await t.call('POST', '/inventory/adjust', {
      token: m.staff.stock_clerk.token,
      body: { variant_id: m.products.mug.variantId, location_id: m.locationId, delta: -1000, reason: 'adjustment' },
    });
    expect(r.status).toBe(409);
    expect(r.body.error.message).toBe('stock on hand cannot drop below zero');
    expect(JSON.stringify(r.body)).not.toMatch(/inventory_levels|constraint|violates/);
  });

  it('unknown routes are 404 JSON', async () => {
    const r = await t.call('GET', '/nope');
    expect(r.status).toBe(404);
    expect(r.body.error.kind).toBe('not_found');
  });
});
