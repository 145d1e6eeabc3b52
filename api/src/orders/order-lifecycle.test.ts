import { createTestDatabase } from '@commerce/infra/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type SeededMerchant, seedMerchant, stockOf, type TestApi } from '../testing/fixtures.ts';

const db = await createTestDatabase();
let t: TestApi;
let m: SeededMerchant;

beforeAll(async () => {
  t = await createTestApi(db.sql);
  m = await seedMerchant(db.sql, t.sign, 'lifecycle', { burger: 50, beer: 20, mug: 5 });
});
afterAll(() => db.drop());

const cashier = () => m.staff.cashier.token;
const order = (
  lines: Array<{ variant_id: string; quantity: number; note?: string; modifiers?: string[] }>,
  extra: Record<string, unknown> = {},
) =>
  t.call('POST', '/orders', {
    token: cashier(),
    body: { channel: 'pos', branch_id: m.branchId, lines, ...extra },
  });
const stock = (variantId: string) => stockOf(db.sql, variantId, m.locationId);
const count = async (table: string) => Number((await db.sql.unsafe(`select count(*)::int as n from ${table}`))[0]!.n);

describe('order lifecycle', () => {
  it('create reserves, pay keeps, fulfil commits with sale rows, complete changes no stock', async () => {
    const { burger, beer, mug } = m.products;
    const created = await order(
      [
        { variant_id: burger.variantId, quantity: 2 },
        { variant_id: beer.variantId, quantity: 1 },
        { variant_id: mug.variantId, quantity: 1 },
      ],
      { table_label: 'T4' },
    );
    expect(created.status).toBe(201);
    const o = created.body;
    expect(o.status).toBe('created');
    expect(o.total).toEqual({ amount: 2 * 1250 + 600 + 900, currency: 'USD' });
    expect(o.lines.map((l: { sku: string }) => l.sku)).toEqual([burger.sku, beer.sku, mug.sku]);
    expect(o.lines[0].unit_price).toEqual({ amount: 1250, currency: 'USD' });
    expect(await stock(burger.variantId)).toEqual({ on_hand: 50, reserved: 2, available: 48 });
    expect(await stock(beer.variantId)).toEqual({ on_hand: 20, reserved: 1, available: 19 });
    expect(await stock(mug.variantId)).toEqual({ on_hand: 5, reserved: 1, available: 4 });

    // one ticket per station that prepares something; the mug has no station
    const tickets = await db.sql<{ station_id: string; items: number; branch_id: string }[]>`
      select t.station_id, t.branch_id, count(i.id)::int as items from kitchen_tickets t
      join kitchen_ticket_items i on i.ticket_id = t.id and i.order_id = t.order_id
        and i.branch_id = t.branch_id and i.station_id = t.station_id
      where t.order_id = ${o.id} group by 1, 2 order by 1`;
    expect(tickets).toEqual([
      { station_id: m.stations.grill, branch_id: m.branchId, items: 1 },
      { station_id: m.stations.bar, branch_id: m.branchId, items: 1 },
    ]);

    const paid = await t.call('POST', `/orders/${o.id}/pay`, { token: cashier() });
    expect(paid.status).toBe(200);
    expect(paid.body.status).toBe('paid');
    expect(paid.body.paid_at).not.toBeNull();
    expect(await stock(burger.variantId)).toEqual({ on_hand: 50, reserved: 2, available: 48 });

    const fulfilled = await t.call('POST', `/orders/${o.id}/fulfil`, { token: cashier() });
    expect(fulfilled.status).toBe(200);
    expect(fulfilled.body.status).toBe('fulfilled');
    expect(await stock(burger.variantId)).toEqual({ on_hand: 48, reserved: 0, available: 48 });
    expect(await stock(beer.variantId)).toEqual({ on_hand: 19, reserved: 0, available: 19 });
    expect(await stock(mug.variantId)).toEqual({ on_hand: 4, reserved: 0, available: 4 });
    const sales = await t.call('GET', `/inventory/movements?order_id=${o.id}`, { token: m.staff.manager.token });
    expect(sales.status).toBe(200);
    expect(
      sales.body.items
        .map((r: { variant_id: string; quantity: number; reason: string; on_hand_after: number }) => [
          r.variant_id,
          r.reason,
          r.quantity,
          r.on_hand_after,
        ])
        .sort(),
    ).toEqual(
      [
        [burger.variantId, 'sale', -2, 48],
        [beer.variantId, 'sale', -1, 19],
        [mug.variantId, 'sale', -1, 4],
      ].sort(),
    );

    const completed = await t.call('POST', `/orders/${o.id}/complete`, { token: cashier() });
    expect(completed.body.status).toBe('completed');
    expect(await stock(burger.variantId)).toEqual({ on_hand: 48, reserved: 0, available: 48 });
    const [reservations] = await db.sql<{ committed: number; active: number }[]>`
      select count(*) filter (where status = 'committed')::int as committed,
             count(*) filter (where status = 'active')::int as active
      from reservations where order_id = ${o.id}`;
    expect(reservations).toEqual({ committed: 3, active: 0 });
  });

  it('cancel releases the reservation (from created and from paid) and writes no sale', async () => {
    const { burger } = m.products;
    const before = await stock(burger.variantId);
    const a = await order([{ variant_id: burger.variantId, quantity: 3 }]);
    expect(await stock(burger.variantId)).toEqual({ ...before, reserved: 3, available: before.available - 3 });
    const cancelled = await t.call('POST', `/orders/${a.body.id}/cancel`, { token: cashier() });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect(await stock(burger.variantId)).toEqual(before);

    const b = await order([{ variant_id: burger.variantId, quantity: 4 }]);
    await t.call('POST', `/orders/${b.body.id}/pay`, { token: cashier() });
    expect((await stock(burger.variantId)).reserved).toBe(4);
    const cancelledPaid = await t.call('POST', `/orders/${b.body.id}/cancel`, { token: cashier() });
    expect(cancelledPaid.body.status).toBe('cancelled');
    expect(await stock(burger.variantId)).toEqual(before);
    const [sales] = await db.sql<{ n: number }[]>`
      select count(*)::int as n from stock_movements where order_id in (${a.body.id}, ${b.body.id})`;
    expect(sales!.n).toBe(0);
  });

  it('complete straight from paid commits the stock', async () => {
    const { beer } = m.products;
    const before = await stock(beer.variantId);
    const o = await order([{ variant_id: beer.variantId, quantity: 2 }]);
    await t.call('POST', `/orders/${o.body.id}/pay`, { token: cashier() });
    const done = await t.call('POST', `/orders/${o.body.id}/complete`, { token: cashier() });
    expect(done.body.status).toBe('completed');
    expect(done.body.fulfilled_at).not.toBeNull();
    expect(await stock(beer.variantId)).toEqual({
      on_hand: before.on_hand - 2,
      reserved: 0,
      available: before.on_hand - 2,
    });
  });

  it('illegal transitions give 409 naming the current status and change nothing', async () => {
    const { burger } = m.products;
    const o = await order([{ variant_id: burger.variantId, quantity: 1 }]);
    const fulfilEarly = await t.call('POST', `/orders/${o.body.id}/fulfil`, { token: cashier() });
    expect(fulfilEarly.status).toBe(409);
    expect(fulfilEarly.body.error.details.current_status).toBe('created');
    expect(fulfilEarly.body.error.message).toContain('created');
    await t.call('POST', `/orders/${o.body.id}/cancel`, { token: cashier() });
    const before = await stock(burger.variantId);
    for (const action of ['pay', 'cancel', 'fulfil', 'complete']) {
      const r = await t.call('POST', `/orders/${o.body.id}/${action}`, { token: cashier() });
      expect(r.status, action).toBe(409);
      expect(r.body.error.details.current_status).toBe('cancelled');
    }
    expect(await stock(burger.variantId)).toEqual(before);
  });

  it('short stock: 409 naming every short SKU, nothing written', async () => {
    const { burger, mug } = m.products;
    const orders = await count('orders');
    const lines = await count('order_lines');
    const tickets = await count('kitchen_tickets');
    const before = { burger: await stock(burger.variantId), mug: await stock(mug.variantId) };
    const r = await order([
      { variant_id: burger.variantId, quantity: 1 },
      { variant_id: mug.variantId, quantity: 999 },
    ]);
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('order.insufficient_stock');
    expect(r.body.error.message).toContain(mug.sku);
    expect(r.body.error.details.short).toEqual([
      { sku: mug.sku, variant_id: mug.variantId, requested: 999, available: before.mug.available },
    ]);
    expect(await count('orders')).toBe(orders);
    expect(await count('order_lines')).toBe(lines);
    expect(await count('kitchen_tickets')).toBe(tickets);
    expect(await stock(burger.variantId)).toEqual(before.burger);
  });

  it('unknown, unpublished and inactive variants are refused', async () => {
    const missing = await order([{ variant_id: '999999', quantity: 1 }]);
    expect(missing.status).toBe(404);
    const [p] = await db.sql<{ id: string }[]>`
      insert into products (merchant_id, name) values (${m.merchantId}, 'Draft thing') returning id`;
    const [v] = await db.sql<{ id: string }[]>`
      insert into product_variants (merchant_id, product_id, sku, price_amount, currency)
      values (${m.merchantId}, ${p!.id}, 'DRAFT-1', 100, 'USD') returning id`;
    const draft = await order([{ variant_id: v!.id, quantity: 1 }]);
    expect(draft.status).toBe(409);
    expect(draft.body.error.code).toBe('order.not_for_sale');
  });

  it('accepts the limits themselves: 100 lines, 9,999 of one item', async () => {
    const { beer, burger } = m.products;
    await db.sql`update inventory_levels set on_hand = on_hand + 20000 where variant_id = ${beer.variantId}`;
    const hundred = await order(
      Array.from({ length: 100 }, () => ({ variant_id: burger.variantId, quantity: 1 }))
        .slice(0, 1)
        .concat(Array.from({ length: 99 }, () => ({ variant_id: beer.variantId, quantity: 1 }))),
    );
    expect(hundred.status).toBe(201);
    expect(hundred.body.line_count).toBe(100);
    const big = await order([{ variant_id: beer.variantId, quantity: 9999 }]);
    expect(big.status).toBe(201);
    expect(big.body.total.amount).toBe(9999 * beer.price);
    for (const o of [hundred.body.id, big.body.id]) await t.call('POST', `/orders/${o}/cancel`, { token: cashier() });
  });

  it('lists and gets orders', async () => {
    const list = await t.call('GET', '/orders?limit=2', { token: cashier() });
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(2);
    expect(BigInt(list.body.items[0].id)).toBeGreaterThan(BigInt(list.body.items[1].id));
    expect(list.body.next_cursor).toBe(list.body.items[1].id);
    const next = await t.call('GET', `/orders?limit=2&cursor=${list.body.next_cursor}`, { token: cashier() });
    expect(BigInt(next.body.items[0].id)).toBeLessThan(BigInt(list.body.next_cursor));
    const one = await t.call('GET', `/orders/${list.body.items[0].id}`, { token: cashier() });
    expect(one.body).toEqual(list.body.items[0]);
  });

  it('the creation response is the order exactly as it reads back', async () => {
    const created = await order(
      [
        { variant_id: m.products.beer.variantId, quantity: 2, note: 'cold', modifiers: ['lime'] },
        { variant_id: m.products.burger.variantId, quantity: 1 },
      ],
      { table_label: 'T9', customer_note: 'birthday', channel: 'online' },
    );
    expect(created.status).toBe(201);
    const read = await t.call('GET', `/orders/${created.body.id}`, { token: cashier() });
    expect(read.body).toEqual(created.body);
    expect(created.body.lines[0]).toMatchObject({ note: 'cold', modifiers: ['lime'], line_no: 1 });
  });
});
