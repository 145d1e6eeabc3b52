import { afterAll, describe, expect, it } from 'vitest';
import { toAppError } from '../errors.ts';
import { batchFixture } from '../testing/batch-fixture.ts';

// Batches racing other transactions and each other (the rest of the batch rules: order-batch.test.ts).
const { db, m, s, batcher, order, idem, submitTogether, errorOf, bodyOf, stock, countOrders } = await batchFixture({
  burger: 5,
  beer: 10,
  mug: 40,
});
afterAll(() => db.drop());

describe('order batches under concurrency (api_create_orders)', () => {
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
