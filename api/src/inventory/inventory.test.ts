import { createTestDatabase } from '@commerce/infra/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type SeededMerchant, seedMerchant, stockOf, type TestApi } from '../testing/fixtures.ts';

const db = await createTestDatabase();
let t: TestApi;
let m: SeededMerchant;

beforeAll(async () => {
  t = await createTestApi(db.sql);
  m = await seedMerchant(db.sql, t.sign, 'inv', { mug: 10 });
});
afterAll(() => db.drop());

const clerk = () => m.staff.stock_clerk.token;
const post = (path: string, body: unknown) => t.call('POST', path, { token: clerk(), body });
const mug = () => m.products.mug.variantId;

describe('inventory', () => {
  it('receive raises on_hand and writes a receipt row', async () => {
    const r = await post('/inventory/receive', {
      variant_id: mug(),
      location_id: m.locationId,
      quantity: 15,
      note: 'PO-17',
    });
    expect(r.status).toBe(200);
    expect(r.body.level).toMatchObject({ on_hand: 25, reserved: 0, available: 25, sku: m.products.mug.sku });
    expect(r.body.movement).toMatchObject({
      reason: 'receipt',
      quantity: 15,
      on_hand_after: 25,
      note: 'PO-17',
      actor_id: m.staff.stock_clerk.id,
    });
    // a first receipt at a new location creates the level
    const back = await post('/inventory/receive', { variant_id: mug(), location_id: m.backroomId, quantity: 4 });
    expect(back.body.level).toMatchObject({ location_id: m.backroomId, on_hand: 4 });
  });

  it('adjusts with a reason; never below zero or below reserved', async () => {
    const damage = await post('/inventory/adjust', {
      variant_id: mug(),
      location_id: m.locationId,
      delta: -2,
      reason: 'damage',
      note: 'dropped',
    });
    expect(damage.body, JSON.stringify(damage.body)).toHaveProperty('level');
    expect(damage.body.level.on_hand).toBe(23);
    expect(damage.body.movement).toMatchObject({ reason: 'damage', quantity: -2, on_hand_after: 23 });
    const ret = await post('/inventory/adjust', {
      variant_id: mug(),
      location_id: m.locationId,
      delta: 1,
      reason: 'return',
    });
    expect(ret.body.level.on_hand).toBe(24);
    const order = await t.call('POST', '/orders', {
      token: m.staff.cashier.token,
      body: { channel: 'pos', branch_id: m.branchId, lines: [{ variant_id: mug(), quantity: 20 }] },
    });
    expect(order.status).toBe(201);
    const belowReserved = await post('/inventory/adjust', {
      variant_id: mug(),
      location_id: m.locationId,
      delta: -5,
      reason: 'adjustment',
    });
    expect(belowReserved.status).toBe(409);
    expect(belowReserved.body.error.message).toBe('stock on hand cannot drop below the reserved quantity');
    expect(await stockOf(db.sql, mug(), m.locationId)).toEqual({ on_hand: 24, reserved: 20, available: 4 });
    await t.call('POST', `/orders/${order.body.id}/cancel`, { token: m.staff.cashier.token });
  });

  it('transfers available stock: two ledger rows with one transfer_id', async () => {
    const r = await post('/inventory/transfer', {
      variant_id: mug(),
      from_location_id: m.locationId,
      to_location_id: m.backroomId,
      quantity: 6,
    });
    expect(r.status).toBe(200);
    expect(r.body.from).toMatchObject({ location_id: m.locationId, on_hand: 18 });
    expect(r.body.to).toMatchObject({ location_id: m.backroomId, on_hand: 10 });
    expect(
      r.body.movements.map((x: { reason: string; quantity: number; transfer_id: string }) => [
        x.reason,
        x.quantity,
        x.transfer_id,
      ]),
    ).toEqual([
      ['transfer_out', -6, r.body.transfer_id],
      ['transfer_in', 6, r.body.transfer_id],
    ]);
    const listed = await t.call('GET', `/inventory/movements?transfer_id=${r.body.transfer_id}`, { token: clerk() });
    expect(listed.body.items).toHaveLength(2);
    const tooMuch = await post('/inventory/transfer', {
      variant_id: mug(),
      from_location_id: m.backroomId,
      to_location_id: m.locationId,
      quantity: 11,
    });
    expect(tooMuch.status).toBe(409);
    expect(tooMuch.body.error.details).toMatchObject({ requested: 11, available: 10 });
  });

  it('a count sets on_hand and records the difference', async () => {
    const r = await post('/inventory/count', { variant_id: mug(), location_id: m.locationId, counted: 15 });
    expect(r.body.level.on_hand).toBe(15);
    expect(r.body.movement).toMatchObject({ reason: 'count', quantity: -3, on_hand_after: 15 });
    const same = await post('/inventory/count', { variant_id: mug(), location_id: m.locationId, counted: 15 });
    expect(same.body.movement.quantity).toBe(0);
  });

  it('stock per SKU per location and total; thresholds; low-stock listing', async () => {
    const s = await t.call('GET', `/inventory/stock/${mug()}`, { token: m.staff.cashier.token });
    expect(s.body.total).toEqual({ on_hand: 25, reserved: 0, available: 25 });
    expect(s.body.locations.map((l: { location_id: string; on_hand: number }) => [l.location_id, l.on_hand])).toEqual([
      [m.locationId, 15],
      [m.backroomId, 10],
    ]);
    const all = await t.call('PUT', '/inventory/threshold', {
      token: clerk(),
      body: { variant_id: mug(), threshold: 12 },
    });
    expect(all.body.map((l: { low_stock_threshold: number }) => l.low_stock_threshold)).toEqual([12, 12]);
    const one = await t.call('PUT', '/inventory/threshold', {
      token: clerk(),
      body: { variant_id: mug(), location_id: m.locationId, threshold: 20 },
    });
    expect(one.body).toHaveLength(1);
    const low = await t.call('GET', '/inventory/levels?below_threshold=true', { token: clerk() });
    expect(
      low.body.items.map((l: { variant_id: string; location_id: string }) => [l.variant_id, l.location_id]),
    ).toEqual([
      [mug(), m.locationId],
      [mug(), m.backroomId],
    ]);
  });

  it('lists the ledger newest first with filters and a cursor', async () => {
    const page1 = await t.call('GET', `/inventory/movements?variant_id=${mug()}&limit=3`, { token: clerk() });
    expect(page1.body.items).toHaveLength(3);
    const ids = page1.body.items.map((x: { id: string }) => BigInt(x.id));
    expect([...ids].sort((a, b) => (a > b ? -1 : 1))).toEqual(ids);
    const page2 = await t.call(
      'GET',
      `/inventory/movements?variant_id=${mug()}&limit=100&cursor=${page1.body.next_cursor}`,
      {
        token: clerk(),
      },
    );
    expect(BigInt(page2.body.items[0].id)).toBeLessThan(ids[2]);
    const counts = await t.call('GET', '/inventory/movements?reason=count', { token: clerk() });
    expect(counts.body.items.every((x: { reason: string }) => x.reason === 'count')).toBe(true);
    expect(counts.body.items).toHaveLength(2);
  });

  it('locations', async () => {
    const created = await t.call('POST', '/locations', {
      token: clerk(),
      body: { name: 'Warehouse', kind: 'warehouse' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ kind: 'warehouse', branch_id: null });
    const list = await t.call('GET', '/locations', { token: clerk() });
    expect(list.body.map((l: { id: string }) => l.id)).toEqual([m.locationId, m.backroomId, created.body.id]);
  });
});
