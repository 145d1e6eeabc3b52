import { type AppError, createLogger, type Principal } from '@commerce/common';
import { createTestDatabase } from '@commerce/infra/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toAppError } from '../errors.ts';
import { requestHash } from '../http/idempotency.ts';
import type { Scope } from '../http/scope.ts';
import { createTestApi, type SeededMerchant, seedMerchant, stockOf, type TestApi } from '../testing/fixtures.ts';
import { createOrderBatcher, type OrderBatcher } from './order-batcher.ts';
import type { CreateOrderInput } from './order-schemas.ts';
import { type CreatedOrder, createCheckedOrder } from './order-service.ts';

const db = await createTestDatabase();
let t: TestApi;
let m: SeededMerchant;
let s: Scope;

beforeAll(async () => {
  t = await createTestApi(db.sql);
  m = await seedMerchant(db.sql, t.sign, 'batch', { burger: 5, beer: 10, mug: 40 });
  const principal: Principal = {
    kind: 'staff',
    id: m.staff.cashier.id,
    merchantId: m.merchantId,
    roles: ['cashier'],
    branchIds: [],
    stationIds: [],
    tokenId: 'test',
    expiresAt: Date.now() + 3_600_000,
  };
  s = { merchantId: m.merchantId, branchIds: null, stationIds: null, principal, staffId: m.staff.cashier.id };
});
afterAll(() => db.drop());

const logger = createLogger('batch-test', 'silent');
const batcher = (over: { maxBatch?: number; maxInFlight?: number } = {}) =>
  createOrderBatcher({ sql: db.sql, logger, maxBatch: over.maxBatch ?? 64, maxInFlight: over.maxInFlight ?? 1 });
const order = (lines: Array<[string, number]>, extra: Partial<CreateOrderInput> = {}): CreateOrderInput => ({
  channel: 'pos',
  branch_id: m.branchId,
  table_label: 'T1',
  customer_note: null,
  lines: lines.map(([variant_id, quantity]) => ({ variant_id, quantity, note: null, modifiers: [] })),
  ...extra,
});
const idem = (key: string, input: CreateOrderInput) => ({
  merchantId: m.merchantId,
  key,
  principal: `staff:${m.staff.cashier.id}`,
  method: 'POST',
  path: '/orders',
  hash: requestHash('POST', '/orders', input),
});
type Outcome = { ok: true; order: CreatedOrder } | { ok: false; error: AppError };
/** Submits every request in the same event-loop turn: they form one batch (up to maxBatch). */
const submitTogether = (b: OrderBatcher, requests: Array<[CreateOrderInput, ReturnType<typeof idem> | null]>) =>
  Promise.all(
    requests.map(([input, key]) =>
      b.create(s, input, key).then(
        (order): Outcome => ({ ok: true, order }),
        (error: unknown): Outcome => ({ ok: false, error: toAppError(error) }),
      ),
    ),
  );
const errorOf = (o: Outcome) =>
  o.ok ? null : { kind: o.error.kind, code: o.error.code, message: o.error.message, details: o.error.details };
const bodyOf = (o: Outcome) => (o.ok ? JSON.parse(o.order.body) : null);
const stock = (variantId: string) => stockOf(db.sql, variantId, m.locationId);
const rowsOf = async (orderId: string) => {
  const [row] = await db.sql<{ lines: number; reservations: number; tickets: number; items: number }[]>`
    select (select count(*)::int from order_lines where order_id = ${orderId}) as lines,
           (select count(*)::int from reservations where order_id = ${orderId}) as reservations,
           (select count(*)::int from kitchen_tickets where order_id = ${orderId}) as tickets,
           (select count(*)::int from kitchen_ticket_items where order_id = ${orderId}) as items`;
  return row!;
};
const countOrders = async () => (await db.sql<{ n: number }[]>`select count(*)::int as n from orders`)[0]!.n;

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

  it('a key a concurrent transaction commits meanwhile undoes the batch; alone, that request replays it', async () => {
    const { mug } = m.products;
    const b = batcher();
    const input = order([[mug.variantId, 1]]);
    const key = idem('batch-race', input);
    const stockBefore = await stock(mug.variantId);
    const ordersBefore = await countOrders();
    const stored = { id: 'stored-elsewhere' };
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let inserted!: () => void;
    const keyWritten = new Promise<void>((resolve) => {
      inserted = resolve;
    });
    // another transaction has finished the same request but not committed yet
    const other = db.sql.begin(async (tx) => {
      await tx`insert into idempotency_keys (merchant_id, key, principal, method, path, request_hash, response_status,
                                             response_body, completed_at)
               values (${m.merchantId}, ${key.key}, ${key.principal}, 'POST', ${key.path}, ${key.hash}, 201,
                       ${tx.json(stored)}, now())`;
      inserted();
      await held;
    });
    await keyWritten;
    const batch = submitTogether(b, [
      [order([[mug.variantId, 1]]), null],
      [input, key],
    ]);
    // commit once the batch waits on that key
    for (;;) {
      const waiting = await db.sql`select 1 from pg_stat_activity where wait_event_type = 'Lock'
                                   and query like '%api_create_orders%'`;
      if (waiting.length > 0) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    release();
    await other;
    const results = await batch;
    expect(b.stats().fallbacks).toBe(1);
    expect(results.map((r) => (r.ok ? [r.order.status, r.order.replayed] : [r.error.code]))).toEqual([
      [201, false],
      [201, true],
    ]);
    expect(bodyOf(results[1]!)).toEqual(stored);
    // the undone batch left nothing: one order and one unit more
    expect(await countOrders()).toBe(ordersBefore + 1);
    expect((await stock(mug.variantId)).reserved).toBe(stockBefore.reserved + 1);
  });

  it('concurrent batches from two api processes never oversell and never deadlock', async () => {
    const [v] = await db.sql<{ id: string }[]>`
      insert into product_variants (merchant_id, product_id, sku, price_amount, currency)
      values (${m.merchantId}, ${m.products.burger.productId}, 'batch-RUSH', 500, 'USD') returning id`;
    await db.sql`insert into inventory_levels (merchant_id, variant_id, location_id, on_hand)
                 values (${m.merchantId}, ${v!.id}, ${m.locationId}, 60)`;
    const { beer, mug } = m.products;
    await db.sql`update inventory_levels set on_hand = on_hand + 1000 where variant_id in (${beer.variantId}, ${mug.variantId})`;
    const beerBefore = await stock(beer.variantId);
    const mugBefore = await stock(mug.variantId);
    const processes = [batcher({ maxBatch: 16, maxInFlight: 3 }), batcher({ maxBatch: 16, maxInFlight: 3 })];
    // both orders of locking a pair of rows appear: mug+rush and rush+mug, from both processes
    const requests = Array.from({ length: 300 }, (_, i) => {
      const lines: Array<[string, number]> = [
        [beer.variantId, 1],
        [v!.id, 1],
      ];
      return i % 2 ? order([...lines, [mug.variantId, 1]]) : order([[mug.variantId, 1], ...lines.reverse()]);
    });
    const results = await Promise.all(
      requests.map((input, i) =>
        processes[i % 2]!.create(s, input, null).then(
          (r) => r.status,
          (e: unknown) => toAppError(e).code,
        ),
      ),
    );
    expect(results.filter((r) => r === 201)).toHaveLength(60);
    expect(results.filter((r) => r === 'order.insufficient_stock')).toHaveLength(240);
    expect(processes.every((p) => p.stats().largest > 1)).toBe(true);
    expect(await stock(v!.id)).toEqual({ on_hand: 60, reserved: 60, available: 0 });
    expect((await stock(beer.variantId)).reserved).toBe(beerBefore.reserved + 60);
    expect((await stock(mug.variantId)).reserved).toBe(mugBefore.reserved + 60);
  });

  it('contested rows are shared in arrival order by conditional UPDATEs; a miss gives back every row it took', async () => {
    const { burger, beer, mug } = m.products;
    // exactly 2 of burger and 2 of beer left; mugs plenty
    await db.sql`update inventory_levels set on_hand = reserved + 2
                 where location_id = ${m.locationId} and variant_id in (${burger.variantId}, ${beer.variantId})`;
    const mugBefore = await stock(mug.variantId);
    const b = batcher();
    const results = await submitTogether(b, [
      [order([[burger.variantId, 2]]), null], // burger is contested (3 asked, 2 left): first come, gets both
      [
        order([
          [burger.variantId, 1],
          [beer.variantId, 1],
          [mug.variantId, 1],
        ]),
        null,
      ], // beer is contested too (3 asked): gets its beer, misses the burger, gives back beer and mug
      [order([[beer.variantId, 2]]), null], // gets the beer the second order gave back
    ]);
    expect(b.stats()).toMatchObject({ batches: 1, orders: 3, fallbacks: 0 });
    expect(results.map((r) => (r.ok ? r.order.status : r.error.code))).toEqual([201, 'order.insufficient_stock', 201]);
    expect(errorOf(results[1]!)?.details).toEqual({
      location_id: m.locationId,
      short: [{ sku: burger.sku, variant_id: burger.variantId, requested: 1, available: 0 }],
    });
    expect((await stock(burger.variantId)).available).toBe(0);
    expect((await stock(beer.variantId)).available).toBe(0);
    expect(await stock(mug.variantId)).toEqual(mugBefore);
    const [ledger] = await db.sql<{ negative: number }[]>`
      select count(*)::int as negative from inventory_levels where reserved < 0 or on_hand - reserved < 0`;
    expect(ledger!.negative).toBe(0);
  });

  it('stock taken while a batch is written (it reserves last): the batch runs again reserving first', async () => {
    const { mug } = m.products;
    const ordersBefore = await countOrders();
    await db.sql`update inventory_levels set on_hand = reserved + 3
                 where location_id = ${m.locationId} and variant_id = ${mug.variantId}`;
    // another transaction takes one mug and holds the row while the batch (3 asked, 3 committed
    // left: it writes first) gets to its reservation
    const other = await db.sql.reserve();
    try {
      await other`begin`;
      await other`update inventory_levels set reserved = reserved + 1
                  where location_id = ${m.locationId} and variant_id = ${mug.variantId}`;
      const b = batcher();
      const pending = submitTogether(b, [
        [order([[mug.variantId, 2]]), null],
        [order([[mug.variantId, 1]]), null],
      ]);
      for (let waited = 0; ; waited += 10) {
        const [row] = await db.sql<{ n: number }[]>`
          select count(*)::int as n from pg_stat_activity
          where wait_event_type = 'Lock' and query like '%api_create_orders%'`;
        if (row!.n > 0) break;
        if (waited > 5_000) throw new Error('the batch never waited for the stock row');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await other`commit`;
      const results = await pending;
      expect(b.stats()).toMatchObject({ batches: 1, orders: 2, lockFirst: 1, fallbacks: 0 });
      expect(results.map((r) => (r.ok ? r.order.status : r.error.code))).toEqual([201, 'order.insufficient_stock']);
      expect(errorOf(results[1]!)?.details).toMatchObject({ short: [{ sku: mug.sku, requested: 1, available: 0 }] });
      expect((await stock(mug.variantId)).available).toBe(0);
      // the undone first run left nothing behind: one order more
      expect(await countOrders()).toBe(ordersBefore + 1);
    } finally {
      other.release();
    }
  });
});
