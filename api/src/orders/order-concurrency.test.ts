import { createTestDatabase } from '@commerce/infra/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type SeededMerchant, seedMerchant, stockOf, type TestApi } from '../testing/fixtures.ts';

const db = await createTestDatabase();
let t: TestApi;
let m: SeededMerchant;

beforeAll(async () => {
  t = await createTestApi(db.sql);
  m = await seedMerchant(db.sql, t.sign, 'rush', { burger: 100, beer: 1000, mug: 10 });
});
afterAll(() => db.drop());

describe('concurrent orders', () => {
  it('500 concurrent orders for 100 available: exactly 100 succeed, nothing oversold or negative', async () => {
    const { burger } = m.products;
    const attempts = 500;
    const results = await Promise.all(
      Array.from({ length: attempts }, (_, i) =>
        t.call('POST', '/orders', {
          token: m.staff.cashier.token,
          // every request also takes a beer, so partial reservations would show up as beer drift
          body: {
            channel: i % 2 ? 'pos' : 'online',
            branch_id: m.branchId,
            lines: [
              { variant_id: m.products.beer.variantId, quantity: 1 },
              { variant_id: burger.variantId, quantity: 1 },
            ],
          },
        }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(100);
    expect(statuses.filter((s) => s === 409)).toHaveLength(400);
    for (const r of results.filter((r) => r.status === 409)) {
      expect(r.body.error.code).toBe('order.insufficient_stock');
      expect(r.body.error.details.short.map((s: { sku: string }) => s.sku)).toEqual([burger.sku]);
    }

    expect(await stockOf(db.sql, burger.variantId, m.locationId)).toEqual({
      on_hand: 100,
      reserved: 100,
      available: 0,
    });
    // the losers reserved no beer either: all or nothing
    expect(await stockOf(db.sql, m.products.beer.variantId, m.locationId)).toEqual({
      on_hand: 1000,
      reserved: 100,
      available: 900,
    });
    const [counts] = await db.sql<{ orders: number; reservations: number; negative: number }[]>`
      select (select count(*)::int from orders) as orders,
             (select coalesce(sum(quantity), 0)::int from reservations where status = 'active') as reservations,
             (select count(*)::int from inventory_levels where on_hand < 0 or reserved < 0 or available < 0) as negative`;
    expect(counts).toEqual({ orders: 100, reservations: 200, negative: 0 });
  });
});
