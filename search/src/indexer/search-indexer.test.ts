import { createTestDatabase } from '@commerce/infra/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedEngine } from '../engine/embedded/embedded-engine.ts';
import { SearchError } from '../errors.ts';
import { parseSearchRequest } from '../query/search-request.ts';
import { batchOf, captureDelete, captureInsert, captureUpdate } from '../testing/capture-changes.ts';
import { DEMO_PRODUCTS } from '../testing/demo-catalog.ts';
import { type SeededStore, seedStore } from '../testing/seed-catalog.ts';
import { createSearchIndexer } from './search-indexer.ts';

const db = await createTestDatabase();
afterAll(() => db.drop());

const ctx = { signal: new AbortController().signal };

describe('search indexer on real Postgres commits', () => {
  const engine = new EmbeddedEngine();
  const indexer = createSearchIndexer({ sql: db.sql, engine });
  let store: SeededStore;
  let other: SeededStore;

  const names = async (q: string, filter_by = '') =>
    (await engine.search(store.merchantId, parseSearchRequest({ q, filter_by }))).hits.map((h) => h.document.name);
  const product = (name: string) => store.products.find((p) => p.name === name)!;

  beforeAll(async () => {
    store = await seedStore(db.sql, 'demo-diner', DEMO_PRODUCTS);
    other = await seedStore(db.sql, 'other-shop', DEMO_PRODUCTS.slice(0, 2));
    // a draft is not a document
    await db.sql`update products set status = 'draft' where id = ${product('Tiramisu').productId}`;
    expect(await indexer.rebuild()).toBe(DEMO_PRODUCTS.length - 1 + 2);
  });

  it('folds variants and stock into the document', async () => {
    const doc = await engine.get(product('Chicken Burger').productId);
    expect(doc).toMatchObject({
      name: 'Chicken Burger',
      merchant_id: store.merchantId,
      price: 950,
      min_price: 950,
      max_price: 1250,
      currency: 'USD',
      available: 40,
      in_stock: true,
      variant_count: 2,
      tags: ['chicken', 'bestseller'],
    });
    expect(await engine.get(product('Tiramisu').productId)).toBeNull();
  });

  it('publish → searchable', async () => {
    expect(await names('tiramisu')).toEqual([]);
    const events = await captureUpdate(db.sql, 'products', "status = 'published'", 'id = $1', [
      product('Tiramisu').productId,
    ]);
    await indexer.handle(batchOf(events), ctx);
    expect(await names('tiramisu')).toEqual(['Tiramisu']);
  });

  it('a new product with its variant and stock in one transaction → searchable', async () => {
    const events = await db.sql.begin(async (tx) => {
      const p = await captureInsert(tx, 'products', {
        merchant_id: store.merchantId,
        name: 'Truffle Fries',
        status: 'published',
        category: 'Sides',
      });
      const v = await captureInsert(tx, 'product_variants', {
        merchant_id: store.merchantId,
        product_id: p.after!.id,
        sku: 'truffle-fries',
        price_amount: 650,
        currency: 'USD',
      });
      const l = await captureInsert(tx, 'inventory_levels', {
        merchant_id: store.merchantId,
        variant_id: v.after!.id,
        location_id: store.locationId,
        on_hand: 7,
        reserved: 2,
      });
      return [p, v, l];
    });
    await indexer.handle(batchOf(events), ctx);
    const [hit] = (await engine.search(store.merchantId, parseSearchRequest({ q: 'truffle' }))).hits;
    expect(hit?.document).toMatchObject({ name: 'Truffle Fries', price: 650, available: 5, in_stock: true });
  });

  it('archive → gone', async () => {
    const events = await captureUpdate(db.sql, 'products', "status = 'archived', archived_at = now()", 'id = $1', [
      product('Greek Salad').productId,
    ]);
    await indexer.handle(batchOf(events), ctx);
    expect(await names('greek salad')).not.toContain('Greek Salad');
    expect(await engine.get(product('Greek Salad').productId)).toBeNull();
  });

  it('stock to 0 → in_stock:false; back → true', async () => {
    const id = product('Onion Rings').variantIds[0]!;
    let events = await captureUpdate(db.sql, 'inventory_levels', 'reserved = t.on_hand', 'variant_id = $1', [id]);
    await indexer.handle(batchOf(events), ctx);
    expect(await names('onion', 'in_stock:false')).toEqual(['Onion Rings']);
    expect((await engine.get(product('Onion Rings').productId))?.available).toBe(0);
    events = await captureUpdate(db.sql, 'inventory_levels', 'on_hand = t.on_hand + 5', 'variant_id = $1', [id]);
    await indexer.handle(batchOf(events), ctx);
    expect(await names('onion', 'in_stock:true')).toEqual(['Onion Rings']);
  });

  it('price change → new price', async () => {
    const [variant] = product('Espresso').variantIds;
    const events = await captureUpdate(db.sql, 'product_variants', 'price_amount = 310', 'id = $1', [variant]);
    await indexer.handle(batchOf(events), ctx);
    expect(await names('espresso', 'price:=310')).toEqual(['Espresso']);
  });

  it('ignores stock updates that leave the total unchanged', async () => {
    const before = indexer.stats();
    const events = await captureUpdate(db.sql, 'inventory_levels', 'low_stock_threshold = 3', 'variant_id = $1', [
      product('Espresso').variantIds[0],
    ]);
    await indexer.handle(batchOf(events), ctx);
    const after = indexer.stats();
    expect(after.batches).toBe(before.batches + 1);
    expect(after.upserts).toBe(before.upserts);
    expect(after.unchanged).toBe(before.unchanged);
  });

  it('is idempotent by position: a replayed batch leaves the same document', async () => {
    const id = product('Cappuccino').productId;
    const events = await captureUpdate(db.sql, 'products', "name = 'Cappuccino Grande'", 'id = $1', [id]);
    await indexer.handle(batchOf(events), ctx);
    const first = await engine.get(id);
    const skipped = indexer.stats().skippedReplays;
    await indexer.handle(batchOf(events), ctx);
    expect(indexer.stats().skippedReplays).toBe(skipped + 1);
    // a fresh indexer (e.g. after a restart) has no high-water mark: the re-read gives the same document
    const restarted = createSearchIndexer({ sql: db.sql, engine });
    await restarted.handle(batchOf(events), ctx);
    expect(await engine.get(id)).toEqual(first);
    expect(restarted.stats().unchanged).toBe(1);
  });

  it('variant delete and deactivation update or remove the document', async () => {
    const burger = product('Chicken Burger');
    await db.sql`delete from inventory_levels where variant_id = ${burger.variantIds[1]!}`;
    let events = await captureDelete(db.sql, 'product_variants', 'id = $1', [burger.variantIds[1]]);
    expect(events[0]!.before).toEqual({ id: burger.variantIds[1] });
    await indexer.handle(batchOf(events), ctx);
    expect(await engine.get(burger.productId)).toMatchObject({ max_price: 950, variant_count: 1 });
    events = await captureUpdate(db.sql, 'product_variants', 'active = false', 'product_id = $1', [burger.productId]);
    await indexer.handle(batchOf(events), ctx);
    expect(await engine.get(burger.productId)).toBeNull();
  });

  it('stock changes of a product already read update its document from the change event, without reading Postgres', async () => {
    const burger = product('Cheeseburger');
    const [variant] = burger.variantIds;
    const reserve = (n: number) =>
      captureUpdate(db.sql, 'inventory_levels', `reserved = t.reserved + ${n}`, 'variant_id = $1', [variant]);
    // the first stock change reads the product (and its levels) once
    await indexer.handle(batchOf(await reserve(5)), ctx);
    expect((await engine.get(burger.productId))?.available).toBe(30);
    const before = indexer.stats();
    await indexer.handle(batchOf([...(await reserve(10)), ...(await reserve(1))]), ctx);
    expect((await engine.get(burger.productId))?.available).toBe(19);
    const after = indexer.stats();
    expect(after.productReads).toBe(before.productReads);
    expect(after.stockFromCache).toBe(before.stockFromCache + 2);
    // the document follows the event's after-image, not a read: an event saying 100 more are on
    // hand than Postgres holds shows in the document (then the real state is sent back)
    const [real] = await reserve(0 - 16);
    await indexer.handle(batchOf([{ ...real!, after: { ...real!.after, on_hand: 135 } }]), ctx);
    expect((await engine.get(burger.productId))?.available).toBe(135);
    await indexer.handle(batchOf(await reserve(1)), ctx);
    expect(await engine.get(burger.productId)).toMatchObject({ available: 34, in_stock: true });
    expect(indexer.stats().productReads).toBe(before.productReads);
  });

  it('a new stock level at another location, and its delete, count from the events', async () => {
    const veggie = product('Veggie Burger');
    const [location] = await db.sql<{ id: string }[]>`
      insert into locations (merchant_id, name) values (${store.merchantId}, 'Second kitchen') returning id::text`;
    // warm the product
    await indexer.handle(
      batchOf(
        await captureUpdate(db.sql, 'inventory_levels', 'on_hand = 21', 'variant_id = $1', [veggie.variantIds[0]]),
      ),
      ctx,
    );
    const reads = indexer.stats().productReads;
    const level = await captureInsert(db.sql, 'inventory_levels', {
      merchant_id: store.merchantId,
      variant_id: veggie.variantIds[0],
      location_id: location!.id,
      on_hand: 9,
      reserved: 4,
    });
    await indexer.handle(batchOf([level]), ctx);
    expect((await engine.get(veggie.productId))?.available).toBe(26);
    await indexer.handle(batchOf(await captureDelete(db.sql, 'inventory_levels', 'id = $1', [level.after!.id])), ctx);
    expect((await engine.get(veggie.productId))?.available).toBe(21);
    expect(indexer.stats().productReads).toBe(reads);
  });

  it('a product change after cached stock re-reads it, and later stock builds on the fresh read', async () => {
    const fries = product('French Fries');
    const [variant] = fries.variantIds;
    await indexer.handle(
      batchOf(await captureUpdate(db.sql, 'inventory_levels', 'reserved = 1', 'variant_id = $1', [variant])),
      ctx,
    );
    const stock = await db.sql<{ available: number }[]>`
      select on_hand - reserved as available from inventory_levels where variant_id = ${variant!}`;
    const events = await captureUpdate(db.sql, 'products', "name = 'Crispy French Fries'", 'id = $1', [
      fries.productId,
    ]);
    await indexer.handle(batchOf(events), ctx);
    expect(await names('crispy')).toEqual(['Crispy French Fries']);
    await indexer.handle(
      batchOf(await captureUpdate(db.sql, 'inventory_levels', 'reserved = 3', 'variant_id = $1', [variant])),
      ctx,
    );
    expect(await engine.get(fries.productId)).toMatchObject({
      name: 'Crispy French Fries',
      available: stock[0]!.available - 2,
    });
  });

  it('an engine that fails a stock update gets the document again when the batch is redelivered', async () => {
    const shake = product('Chocolate Milkshake');
    const [variant] = shake.variantIds;
    const reserve = (n: number) =>
      captureUpdate(db.sql, 'inventory_levels', `reserved = t.reserved + ${n}`, 'variant_id = $1', [variant]);
    await indexer.handle(batchOf(await reserve(1)), ctx);
    const expected = (await engine.get(shake.productId))!.available - 2;
    const batch = batchOf(await reserve(2));
    const upsert = engine.upsert.bind(engine);
    engine.upsert = async () => {
      throw new SearchError('unavailable', 'search.engine_unavailable', 'engine down', { retriable: true });
    };
    try {
      await expect(indexer.handle(batch, ctx)).rejects.toThrow('engine down');
    } finally {
      engine.upsert = upsert;
    }
    await indexer.handle(batch, ctx);
    expect((await engine.get(shake.productId))?.available).toBe(expected);
    // the same when the failed write was the first read of the product
    const fresh = createSearchIndexer({ sql: db.sql, engine });
    const again = batchOf(await reserve(3));
    engine.upsert = async () => {
      throw new SearchError('unavailable', 'search.engine_unavailable', 'engine down', { retriable: true });
    };
    try {
      await expect(fresh.handle(again, ctx)).rejects.toThrow('engine down');
    } finally {
      engine.upsert = upsert;
    }
    await fresh.handle(again, ctx);
    expect((await engine.get(shake.productId))?.available).toBe(expected - 3);
  });

  it('never touches another store', async () => {
    const result = await engine.search(other.merchantId, parseSearchRequest({ q: '*' }));
    expect(result.hits.map((h) => h.document.name).sort()).toEqual(['Cheeseburger', 'Chicken Burger']);
    expect(result.hits.every((h) => h.document.merchant_id === other.merchantId)).toBe(true);
  });
});
