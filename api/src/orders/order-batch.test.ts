import { afterAll, describe, expect, it } from 'vitest';
import { toAppError } from '../errors.ts';
import { batchFixture } from '../testing/batch-fixture.ts';
import type { CreateOrderInput } from './order-schemas.ts';
import { createCheckedOrder } from './order-service.ts';

const { db, t, m, s, batcher, order, idem, submitTogether, errorOf, bodyOf, stock, rowsOf, countOrders } =
  await batchFixture({ burger: 5, beer: 10, mug: 40 });
afterAll(() => db.drop());

describe('order batches (api_create_orders)', () => {
  it('one batch, mixed: each order takes all its lines or nothing, in arrival order; a 409 names its short SKUs', async () => {
    const { burger, beer, mug } = m.products;
    const b = batcher();
    const before = await countOrders();
    const results = await submitTogether(b, [
      [
        order([
          [burger.variantId, 3],
          [beer.variantId, 1],
        ]),
        null,
      ], // ok: burger 5 → 2 left
      [
        order([
          [beer.variantId, 1],
          [burger.variantId, 3],
        ]),
        null,
      ], // short on burger (2 left): no beer either
      [order([[beer.variantId, 2]]), null], // ok
      [
        order([
          [burger.variantId, 1],
          [burger.variantId, 1],
          [mug.variantId, 1],
        ]),
        null,
      ], // ok: the last 2 burgers
      [order([[burger.variantId, 1]]), null], // none left
      [order([['999999999', 1]]), null], // unknown variant
    ]);
    expect(b.stats()).toMatchObject({ batches: 1, orders: 6, fallbacks: 0 });
    expect(results.map((r) => (r.ok ? r.order.status : r.error.code))).toEqual([
      201,
      'order.insufficient_stock',
      201,
      201,
      'order.insufficient_stock',
      'order.variant_not_found',
    ]);
    expect(errorOf(results[1]!)).toEqual({
      kind: 'conflict',
      code: 'order.insufficient_stock',
      message: `insufficient stock for ${burger.sku}`,
      details: {
        location_id: m.locationId,
        short: [{ sku: burger.sku, variant_id: burger.variantId, requested: 3, available: 2 }],
      },
    });
    expect(errorOf(results[4]!)?.details).toMatchObject({ short: [{ sku: burger.sku, requested: 1, available: 0 }] });
    expect(await countOrders()).toBe(before + 3);
    expect(await stock(burger.variantId)).toEqual({ on_hand: 5, reserved: 5, available: 0 });
    expect(await stock(beer.variantId)).toEqual({ on_hand: 10, reserved: 3, available: 7 });
    expect(await stock(mug.variantId)).toEqual({ on_hand: 40, reserved: 1, available: 39 });

    // what each created order wrote, and its response equals the order as the api reads it back
    const [first, , third, fourth] = results.map(bodyOf);
    expect(await rowsOf(first.id)).toEqual({ lines: 2, reservations: 2, tickets: 2, items: 2 });
    expect(await rowsOf(third.id)).toEqual({ lines: 1, reservations: 1, tickets: 1, items: 1 });
    expect(await rowsOf(fourth.id)).toEqual({ lines: 3, reservations: 3, tickets: 1, items: 2 });
    for (const created of [first, third, fourth]) {
      const read = await t.call('GET', `/orders/${created.id}`, { token: m.staff.cashier.token });
      expect(read.body).toEqual(created);
    }
    expect(fourth.total).toEqual({ amount: 2 * burger.price + mug.price, currency: 'USD' });
    expect(fourth.lines.map((l: { line_no: number; id: string }) => l.line_no)).toEqual([1, 2, 3]);
    const ticketItems = await db.sql<{ station_id: string; branch_id: string; name: string }[]>`
      select t.station_id, i.branch_id, i.name from kitchen_ticket_items i
      join kitchen_tickets t on t.id = i.ticket_id and t.station_id = i.station_id and t.order_id = i.order_id
      where i.order_id = ${first.id} order by i.id`;
    expect(ticketItems).toEqual([
      { station_id: m.stations.grill, branch_id: m.branchId, name: 'batch Burger' },
      { station_id: m.stations.bar, branch_id: m.branchId, name: 'batch Beer' },
    ]);
  });

  it('spreads waiting orders over the free calls: alone while they fit, batches only beyond', async () => {
    const { mug } = m.products;
    const light = batcher({ maxInFlight: 4 });
    const three = await submitTogether(
      light,
      [1, 2, 3].map(() => [order([[mug.variantId, 1]]), null] as const) as never,
    );
    expect(three.every((r) => r.ok)).toBe(true);
    expect(light.stats()).toMatchObject({ batches: 3, orders: 3, largest: 1 });
    const busy = batcher({ maxInFlight: 4 });
    const ten = await submitTogether(
      busy,
      Array.from({ length: 10 }, () => [order([[mug.variantId, 1]]), null] as const) as never,
    );
    expect(ten.every((r) => r.ok)).toBe(true);
    expect(busy.stats()).toMatchObject({ batches: 4, orders: 10, largest: 3 });
    // each order says how it ran: 10 over 4 calls of 3, 3, 2, 2 (what the responses' Server-Timing carries)
    const timings = ten.map((r) => (r.ok ? r.order.timing : undefined));
    expect(timings.map((x) => x?.batch).sort()).toEqual([2, 2, 2, 2, 3, 3, 3, 3, 3, 3]);
    for (const x of timings) {
      expect(x!.dbMs).toBeGreaterThan(0);
      expect(x!.waitMs).toBeGreaterThanOrEqual(0);
    }
  });

  it('sends Server-Timing with each created order (wait, db with its batch, app, total)', async () => {
    const r = await t.call('POST', '/orders', {
      token: m.staff.cashier.token,
      body: { channel: 'pos', branch_id: m.branchId, lines: [{ variant_id: m.products.mug.variantId, quantity: 1 }] },
    });
    expect(r.status).toBe(201);
    const header = r.headers.get('server-timing') ?? '';
    const match =
      /^wait;dur=([0-9.]+), db;dur=([0-9.]+);desc="batch of 1", app;dur=([0-9.]+), total;dur=([0-9.]+)$/.exec(header);
    expect(match, header).not.toBeNull();
    const [wait, dbMs, app, total] = match!.slice(1).map(Number) as [number, number, number, number];
    expect(dbMs).toBeGreaterThan(0);
    expect(app).toBeGreaterThanOrEqual(wait + dbMs);
    expect(total).toBeGreaterThanOrEqual(app);
  });

  it('gives every error exactly as an order alone gets it', async () => {
    const { beer, mug } = m.products;
    const [archived] = await db.sql<{ id: string }[]>`
      insert into products (merchant_id, name, status) values (${m.merchantId}, 'old', 'archived') returning id`;
    const [oldVariant] = await db.sql<{ id: string }[]>`
      insert into product_variants (merchant_id, product_id, sku, price_amount, currency)
      values (${m.merchantId}, ${archived!.id}, 'batch-OLD', 100, 'USD') returning id`;
    const [euro] = await db.sql<{ id: string }[]>`
      insert into product_variants (merchant_id, product_id, sku, price_amount, currency)
      values (${m.merchantId}, ${m.products.mug.productId}, 'batch-MUG-EUR', 100, 'EUR') returning id`;
    const cases: CreateOrderInput[] = [
      order([[beer.variantId, 1]], { branch_id: '999999999' }),
      order([[beer.variantId, 1]], { location_id: '999999999' }),
      order([
        ['999999998', 1],
        [beer.variantId, 1],
        ['999999997', 2],
      ]),
      order([[oldVariant!.id, 1]]),
      order([[euro!.id, 1]]),
      order([
        [mug.variantId, 39],
        [beer.variantId, 7],
        [mug.variantId, 1],
        [beer.variantId, 1],
      ]),
    ];
    const alone: Array<ReturnType<typeof errorOf>> = [];
    for (const input of cases) {
      alone.push(
        await createCheckedOrder(db.sql, s, input, null).then(
          () => null,
          (error: unknown) => errorOf({ ok: false, error: toAppError(error) }),
        ),
      );
    }
    const b = batcher();
    const together = (
      await submitTogether(
        b,
        cases.map((input) => [input, null]),
      )
    ).map(errorOf);
    expect(b.stats()).toMatchObject({ batches: 1, orders: cases.length, fallbacks: 0 });
    expect(alone.map((e) => e?.code)).toEqual([
      'order.branch_not_found',
      'order.location_not_found',
      'order.variant_not_found',
      'order.not_for_sale',
      'order.currency_mismatch',
      'order.insufficient_stock',
    ]);
    expect(together).toEqual(alone);
  });

  it('Idempotency-Key: repeats inside one batch apply once; another body under the key → 422; finished keys replay', async () => {
    const { mug } = m.products;
    const b = batcher();
    const before = await stock(mug.variantId);
    const one = order([[mug.variantId, 1]]);
    const two = order([[mug.variantId, 2]]);
    const [first] = await submitTogether(b, [[one, idem('batch-k0', one)]]);
    const results = await submitTogether(b, [
      [one, idem('batch-k1', one)],
      [one, idem('batch-k1', one)],
      [two, idem('batch-k1', two)],
      [one, idem('batch-k0', one)], // finished before: replayed
      [two, idem('batch-k0', two)], // finished before, another body
      [two, idem('batch-k2', two)],
    ]);
    expect(b.stats().largest).toBe(6);
    expect(results.map((r) => (r.ok ? [r.order.status, r.order.replayed] : [r.error.code]))).toEqual([
      [201, false],
      [201, true],
      ['idempotency.key_reused'],
      [201, true],
      ['idempotency.key_reused'],
      [201, false],
    ]);
    expect(bodyOf(results[1]!)).toEqual(bodyOf(results[0]!));
    expect(bodyOf(results[3]!)).toEqual(bodyOf(first!));
    expect(await stock(mug.variantId)).toEqual({
      ...before,
      reserved: before.reserved + 1 + 1 + 2,
      available: before.available - 4,
    });
    const keys = await db.sql<{ key: string; id: string }[]>`
      select key, response_body->>'id' as id from idempotency_keys where key like 'batch-k%' order by key`;
    expect(keys).toEqual([
      { key: 'batch-k0', id: bodyOf(first!).id },
      { key: 'batch-k1', id: bodyOf(results[0]!).id },
      { key: 'batch-k2', id: bodyOf(results[5]!).id },
    ]);
    // a repeat of a request that failed inside the batch fails the same way, and records nothing
    const huge = order([[mug.variantId, 9999]]);
    const failed = await submitTogether(b, [
      [huge, idem('batch-k3', huge)],
      [huge, idem('batch-k3', huge)],
    ]);
    expect(failed.map((r) => (r.ok ? r.order.status : r.error.code))).toEqual([
      'order.insufficient_stock',
      'order.insufficient_stock',
    ]);
    expect(await db.sql`select 1 from idempotency_keys where key = 'batch-k3'`).toHaveLength(0);
  });

  it('a batch that fails as a whole is retried one request at a time: a bad request fails alone', async () => {
    const { mug } = m.products;
    const b = batcher();
    const before = await countOrders();
    const results = await submitTogether(b, [
      [order([[mug.variantId, 1]]), null],
      // an enum value the api's schema would never let through: the batch statement fails
      [order([[mug.variantId, 1]], { channel: 'drone' as never }), null],
      [order([[mug.variantId, 1]]), null],
    ]);
    expect(b.stats()).toMatchObject({ batches: 1, fallbacks: 1 });
    expect(results.map((r) => (r.ok ? r.order.status : r.error.code))).toEqual([201, 'db.invalid_text', 201]);
    expect(await countOrders()).toBe(before + 2);
    // their Server-Timing says so: a batch of 3 rolled back, then each alone
    for (const r of [results[0]!, results[2]!])
      expect(r.ok && r.order.timing).toMatchObject({ batch: 3, afterBatch: true });
  });
});
