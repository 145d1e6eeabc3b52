import type { Sql } from 'postgres';
import type { DemoProduct } from './demo-catalog.ts';

export interface SeededProduct {
  productId: string;
  variantIds: string[];
  levelIds: string[];
  name: string;
}

export interface SeededStore {
  merchantId: string;
  slug: string;
  locationId: string;
  products: SeededProduct[];
}

/**
 * Writes a merchant, one location and the given products (published, one variant per price, the
 * stock on the first variant) with plain SQL: test and bench setup, not the api's code path.
 */
export async function seedStore(sql: Sql, slug: string, products: readonly DemoProduct[]): Promise<SeededStore> {
  return sql.begin(async (tx) => {
    const [merchant] = await tx<{ id: string }[]>`
      insert into merchants (slug, name) values (${slug}, ${`Store ${slug}`}) returning id::text`;
    const merchantId = merchant!.id;
    const [location] = await tx<{ id: string }[]>`
      insert into locations (merchant_id, name) values (${merchantId}, 'Main') returning id::text`;
    const locationId = location!.id;
    const seeded: SeededProduct[] = [];
    for (const [i, p] of products.entries()) {
      const [row] = await tx<{ id: string }[]>`
        insert into products (merchant_id, name, description, brand, category, tags, status, published_at)
        values (${merchantId}, ${p.name}, ${p.description}, ${p.brand}, ${p.category}, ${p.tags}, 'published', now())
        returning id::text`;
      const productId = row!.id;
      const variantIds: string[] = [];
      const levelIds: string[] = [];
      for (const [j, price] of p.prices.entries()) {
        const [v] = await tx<{ id: string }[]>`
          insert into product_variants (merchant_id, product_id, sku, name, price_amount, currency)
          values (${merchantId}, ${productId}, ${`${slug}-${i}-${j}`}, ${j === 0 ? 'Regular' : 'Large'}, ${price}, 'USD')
          returning id::text`;
        variantIds.push(v!.id);
        const [level] = await tx<{ id: string }[]>`
          insert into inventory_levels (merchant_id, variant_id, location_id, on_hand)
          values (${merchantId}, ${v!.id}, ${locationId}, ${j === 0 ? p.stock : 0}) returning id::text`;
        levelIds.push(level!.id);
      }
      seeded.push({ productId, variantIds, levelIds, name: p.name });
    }
    return { merchantId, slug, locationId, products: seeded };
  });
}
