import { createTestDatabase } from '@commerce/infra/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type SeededMerchant, seedMerchant, stockOf, type TestApi } from '../testing/fixtures.ts';

const db = await createTestDatabase();
let t: TestApi;
let m: SeededMerchant;

beforeAll(async () => {
  t = await createTestApi(db.sql);
  m = await seedMerchant(db.sql, t.sign, 'idem', { burger: 100 });
});
afterAll(() => db.drop());

const orderBody = (quantity: number) => ({
  channel: 'pos',
  branch_id: m.branchId,
  lines: [{ variant_id: m.products.burger.variantId, quantity }],
});
const countOrders = async () => (await db.sql<{ n: number }[]>`select count(*)::int as n from orders`)[0]!.n;

describe('Idempotency-Key', () => {
  it('same key and body twice → one order, the first response replayed', async () => {
    const before = await countOrders();
    const first = await t.call('POST', '/orders', {
      token: m.staff.cashier.token,
      body: orderBody(2),
      idempotencyKey: 'k-1',
    });
    const second = await t.call('POST', '/orders', {
      token: m.staff.cashier.token,
      body: orderBody(2),
      idempotencyKey: 'k-1',
    });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(await countOrders()).toBe(before + 1);
    expect((await stockOf(db.sql, m.products.burger.variantId, m.locationId)).reserved).toBe(2);
  });

  it('same key with another body → 422, nothing written', async () => {
    const before = await countOrders();
    const r = await t.call('POST', '/orders', {
      token: m.staff.cashier.token,
      body: orderBody(3),
      idempotencyKey: 'k-1',
    });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('idempotency.key_reused');
    expect(await countOrders()).toBe(before);
  });

  it('same key from another principal or on another path → 422', async () => {
    const other = await t.call('POST', '/orders', {
      token: m.staff.manager.token,
      body: orderBody(2),
      idempotencyKey: 'k-1',
    });
    expect(other.status).toBe(422);
    const path = await t.call('POST', '/inventory/receive', {
      token: m.staff.manager.token,
      body: { variant_id: m.products.mug.variantId, location_id: m.locationId, quantity: 1 },
      idempotencyKey: 'k-1',
    });
    expect(path.status).toBe(422);
  });

  it('concurrent duplicates apply once', async () => {
    const before = await countOrders();
    const stock = await stockOf(db.sql, m.products.burger.variantId, m.locationId);
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        t.call('POST', '/orders', { token: m.staff.cashier.token, body: orderBody(1), idempotencyKey: 'burst' }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect(results.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(19);
    expect(await countOrders()).toBe(before + 1);
    expect((await stockOf(db.sql, m.products.burger.variantId, m.locationId)).reserved).toBe(stock.reserved + 1);
  });

  it('generic mutations: a stock receipt with the same key is applied once, even concurrently', async () => {
    const { mug } = m.products;
    const before = await stockOf(db.sql, mug.variantId, m.locationId);
    const body = { variant_id: mug.variantId, location_id: m.locationId, quantity: 5 };
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        t.call('POST', '/inventory/receive', { token: m.staff.stock_clerk.token, body, idempotencyKey: 'receipt-7' }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(new Set(results.map((r) => r.body.movement.id)).size).toBe(1);
    expect((await stockOf(db.sql, mug.variantId, m.locationId)).on_hand).toBe(before.on_hand + 5);
    const diff = await t.call('POST', '/inventory/receive', {
      token: m.staff.stock_clerk.token,
      body: { ...body, quantity: 6 },
      idempotencyKey: 'receipt-7',
    });
    expect(diff.status).toBe(422);
  });

  it('a failed request records nothing, so the same key can be retried', async () => {
    const { burger } = m.products;
    const tooMany = await t.call('POST', '/orders', {
      token: m.staff.cashier.token,
      body: orderBody(5000),
      idempotencyKey: 'retry-me',
    });
    expect(tooMany.status).toBe(409);
    const [row] = await db.sql`select 1 from idempotency_keys where key = 'retry-me'`;
    expect(row).toBeUndefined();
    await db.sql`update inventory_levels set on_hand = on_hand + 5000 where variant_id = ${burger.variantId}`;
    const ok = await t.call('POST', '/orders', {
      token: m.staff.cashier.token,
      body: orderBody(5000),
      idempotencyKey: 'retry-me',
    });
    expect(ok.status).toBe(201);
  });

  it('rejects a malformed key', async () => {
    const r = await t.call('POST', '/orders', {
      token: m.staff.cashier.token,
      body: orderBody(1),
      headers: { 'idempotency-key': 'x'.repeat(256) },
    });
    expect(r.status).toBe(400);
    expect(r.body.error.issues[0].path).toContain('idempotency-key');
  });
});
