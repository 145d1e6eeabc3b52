import { createCdcMetrics, createPgSource, type PgSource } from '@commerce/cdc';
import { createTestDatabase } from '@commerce/infra/testing';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedEngine } from '../engine/embedded/embedded-engine.ts';
import { parseSearchRequest } from '../query/search-request.ts';
import { DEMO_PRODUCTS } from '../testing/demo-catalog.ts';
import { type SeededStore, seedStore } from '../testing/seed-catalog.ts';
import { createSearchIndexer } from './search-indexer.ts';

/**
 * End to end through cdc's real pgoutput source: SQL commits → WAL → slot → normalized change
 * events → the search indexer → the engine. No reindex after the initial load.
 */
const db = await createTestDatabase();
const engine = new EmbeddedEngine();
const indexer = createSearchIndexer({ sql: db.sql, engine });
let source: PgSource;
let store: SeededStore;

beforeAll(async () => {
  store = await seedStore(db.sql, 'cdc-diner', DEMO_PRODUCTS);
  await db.sql`update products set status = 'draft' where name = 'Tiramisu'`;
  await indexer.rebuild();
  source = createPgSource({
    databaseUrl: db.url,
    sql: db.sql,
    slot: 'search_e2e',
    publication: 'commerce_cdc',
    sinks: [indexer],
    logger: pino({ level: 'silent' }),
    metrics: createCdcMetrics(),
  });
  await source.start();
});

afterAll(async () => {
  await source?.stop();
  await db.drop();
});

async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const product = (name: string) => store.products.find((p) => p.name === name)!;
const hits = async (q: string, filter_by = '') =>
  (await engine.search(store.merchantId, parseSearchRequest({ q, filter_by }))).hits.map((h) => h.document);

describe('search through cdc on real Postgres', () => {
  it('publish → searchable', async () => {
    expect(await hits('tiramisu')).toEqual([]);
    await db.sql`update products set status = 'published', published_at = now() where id = ${product('Tiramisu').productId}`;
    const [doc] = await until(
      () => hits('tiramisu'),
      (h) => h.length === 1,
      'tiramisu to be searchable',
    );
    expect(doc).toMatchObject({ name: 'Tiramisu', price: 590, in_stock: true });
  });

  it('archive → gone', async () => {
    await db.sql`update products set status = 'archived', archived_at = now() where id = ${product('Greek Salad').productId}`;
    await until(
      () => engine.get(product('Greek Salad').productId),
      (d) => d === null,
      'greek salad to go',
    );
    expect((await hits('greek')).map((d) => d.name)).not.toContain('Greek Salad');
  });

  it('stock to 0 → in_stock:false', async () => {
    const burger = product('Chicken Burger');
    await db.sql`update inventory_levels set on_hand = 0, reserved = 0 where variant_id = any(${burger.variantIds}::bigint[])`;
    const doc = await until(
      () => engine.get(burger.productId),
      (d) => d?.in_stock === false,
      'burger out of stock',
    );
    expect(doc).toMatchObject({ available: 0, in_stock: false });
    expect((await hits('chicken burger', 'in_stock:false')).map((d) => d.name)).toEqual(['Chicken Burger']);
  });

  it('price change → new price', async () => {
    const espresso = product('Espresso');
    await db.sql`update product_variants set price_amount = 315 where id = ${espresso.variantIds[0]!}`;
    await until(
      () => hits('espresso', 'price:=315'),
      (h) => h.length === 1,
      'new espresso price',
    );
    expect((await engine.get(espresso.productId))?.price).toBe(315);
  });

  it('a product created with its variant and stock in one transaction → searchable', async () => {
    await db.sql.begin(async (tx) => {
      const [p] = await tx<{ id: string }[]>`
        insert into products (merchant_id, name, status, category) values (${store.merchantId}, 'Mango Lassi', 'published', 'Drinks')
        returning id::text`;
      const [v] = await tx<{ id: string }[]>`
        insert into product_variants (merchant_id, product_id, sku, price_amount, currency)
        values (${store.merchantId}, ${p!.id}, 'mango-lassi', 450, 'USD') returning id::text`;
      await tx`insert into inventory_levels (merchant_id, variant_id, location_id, on_hand)
               values (${store.merchantId}, ${v!.id}, ${store.locationId}, 12)`;
    });
    const [doc] = await until(
      () => hits('mango lasi'),
      (h) => h[0]?.name === 'Mango Lassi',
      'mango lassi',
    );
    expect(doc).toMatchObject({ name: 'Mango Lassi', price: 450, available: 12, in_stock: true });
    expect(indexer.stats().lastPosition).not.toBeNull();
  });
});
