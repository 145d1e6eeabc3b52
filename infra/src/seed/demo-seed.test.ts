import { verifyPin } from '@commerce/api';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../testing/test-database.ts';
import { DEMO_STAFF_PIN, seedDemo } from './demo-seed.ts';

const db = await createTestDatabase();
afterAll(() => db.drop());

describe('demo seed', () => {
  it('loads the restaurant and a retail catalog once, with stock and ledger rows', async () => {
    const progress: number[] = [];
    const ids = await seedDemo(db.sql, { retailProducts: 1200, onProgress: (done) => progress.push(done) });
    expect(ids.restaurant.branches).toHaveLength(2);
    for (const branch of ids.restaurant.branches) {
      expect(Object.keys(branch.stations).sort()).toEqual(['bar', 'expo', 'fry', 'grill']);
    }
    const [items] = await db.sql<{ n: number }[]>`
      select count(*)::int as n from products where merchant_id = ${ids.restaurant.merchantId} and status = 'published'`;
    expect(items!.n).toBe(150);
    const [menu] = await db.sql<{ n: number }[]>`
      select count(*)::int as n from product_variants where merchant_id = ${ids.restaurant.merchantId}`;
    expect(menu!.n).toBeGreaterThan(150);
    const [retail] = await db.sql<{ n: number }[]>`
      select count(*)::int as n from products where merchant_id = ${ids.retail.merchantId} and status = 'published'`;
    expect(retail!.n).toBe(1200);
    // every unit of stock is explained by the ledger
    const [mismatch] = await db.sql<{ n: number }[]>`
      select count(*)::int as n from inventory_levels il
      where il.on_hand <> coalesce((select sum(quantity) from stock_movements m
                                    where m.variant_id = il.variant_id and m.location_id = il.location_id), 0)`;
    expect(mismatch!.n).toBe(0);
    expect(ids.restaurant.terminals.map((t) => t.name)).toEqual([
      'Grill KDS',
      'Fry KDS',
      'Bar KDS',
      'Expo KDS',
      'POS Board',
      'Stock Feed',
    ]);
    const grill = ids.restaurant.terminals[0]!;
    expect(grill.stationIds).toEqual([ids.restaurant.branches[0]!.stations.grill]);
    expect(ids.restaurant.terminals[3]!.stationIds).toHaveLength(4);
    expect(progress.at(-1)).toBe(menu!.n + 1200);

    const pins = await db.sql<{ pin_hash: string | null }[]>`select pin_hash from staff_users`;
    expect(pins.length).toBe(6);
    for (const { pin_hash } of pins) expect(await verifyPin(DEMO_STAFF_PIN, pin_hash!)).toBe(true);

    const again = await seedDemo(db.sql, { retailProducts: 1200 });
    expect(again).toEqual(ids);
    const [merchants] = await db.sql<{ n: number }[]>`select count(*)::int as n from merchants`;
    expect(merchants!.n).toBe(2);
  });
});
