import type { Sql } from 'postgres';

/**
 * A deterministic synthetic catalog for the bench: product names of 2–4 words drawn from food and
 * retail vocabularies (so prefixes and typos hit many candidates), brands, categories, tags,
 * 1–3 variants each and one stock level per variant. Written with unnest() in large batches.
 */
const ADJ =
  'smoky crispy spicy classic double grilled roasted fresh golden sweet tangy creamy zesty rustic hearty loaded glazed honey garlic lemon pepper herb truffle maple chipotle teriyaki buffalo cajun vegan organic artisan'.split(
    ' ',
  );
const NOUN =
  'chicken burger pizza salad wrap taco burrito noodle ramen curry steak salmon tuna shrimp falafel hummus sandwich panini bagel croissant muffin brownie cookie cheesecake pancake waffle smoothie milkshake lemonade espresso cappuccino latte mocha tea soda juice fries nachos wings dumpling sushi poke risotto lasagna gnocchi ravioli omelette granola yogurt'.split(
    ' ',
  );
const EXTRA = 'deluxe supreme mini family combo special bowl plate box bites platter basket melt stack roll'.split(' ');
const DESC =
  'served with house sauce and fresh herbs on a toasted bun baked daily with seasonal vegetables slow cooked for twelve hours topped with cheese and crunchy onions'.split(
    ' ',
  );
const CATEGORIES = Array.from(
  { length: 40 },
  (_, i) => `Category ${String.fromCharCode(65 + (i % 26))}${Math.floor(i / 26) || ''}`,
);
const BRANDS = Array.from({ length: 200 }, (_, i) => `Brand ${i.toString(36)}`);
const TAGS = Array.from({ length: 60 }, (_, i) => `tag${i}`);

export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SyntheticProduct {
  name: string;
  description: string;
  brand: string;
  category: string;
  tags: string[];
  prices: number[];
  stock: number;
}

const SYLLABLES = 'ka lo mi ra ve tu so ni pa de ri mo la zu be fi go ha ju ke'.split(' ');

/** Product-line words ("Kolvara", "Misetu"): real catalogs have thousands of such names. */
function lineWords(rnd: () => number, n: number): string[] {
  const words = new Set<string>();
  while (words.size < n) {
    const len = 2 + Math.floor(rnd() * 3);
    let w = '';
    for (let i = 0; i < len; i++) w += SYLLABLES[Math.floor(rnd() * SYLLABLES.length)];
    words.add(w);
  }
  return [...words];
}

export function syntheticProducts(count: number, seed = 42): SyntheticProduct[] {
  const rnd = prng(seed);
  const pick = <T>(a: readonly T[]) => a[Math.floor(rnd() * a.length)]!;
  const LINES = lineWords(rnd, 5_000);
  const NOTES = lineWords(rnd, 3_000);
  const out: SyntheticProduct[] = [];
  for (let i = 0; i < count; i++) {
    const words = [pick(LINES), pick(ADJ), pick(NOUN)];
    if (rnd() < 0.5) words.push(pick(EXTRA));
    const name = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join(' ');
    const description = [...Array.from({ length: 5 }, () => pick(DESC)), pick(NOTES), pick(NOTES), pick(NOTES)].join(
      ' ',
    );
    const variants = 1 + Math.floor(rnd() * 3);
    const base = 200 + Math.floor(rnd() * 3000);
    out.push({
      name,
      description,
      brand: pick(BRANDS),
      category: pick(CATEGORIES),
      tags: [...new Set([pick(TAGS), pick(TAGS)])],
      prices: Array.from({ length: variants }, (_, j) => base + j * 150),
      stock: rnd() < 0.1 ? 0 : Math.floor(rnd() * 100),
    });
  }
  return out;
}

/** Inserts the products for one merchant; returns the merchant id. */
export async function insertSynthetic(sql: Sql, slug: string, products: SyntheticProduct[]): Promise<string> {
  const [m] = await sql<
    { id: string }[]
  >`insert into merchants (slug, name) values (${slug}, ${slug}) returning id::text`;
  const merchantId = m!.id;
  const [loc] = await sql<{ id: string }[]>`
    insert into locations (merchant_id, name) values (${merchantId}, 'Main') returning id::text`;
  const BATCH = 5_000;
  for (let start = 0; start < products.length; start += BATCH) {
    const chunk = products.slice(start, start + BATCH);
    const ids = await sql<{ id: string }[]>`
      insert into products (merchant_id, name, description, brand, category, tags, status, published_at)
      select ${merchantId}, n, d, b, c, string_to_array(t, ','), 'published', now()
      from unnest(${chunk.map((p) => p.name)}::text[], ${chunk.map((p) => p.description)}::text[],
                  ${chunk.map((p) => p.brand)}::text[], ${chunk.map((p) => p.category)}::text[],
                  ${chunk.map((p) => p.tags.join(','))}::text[]) as x(n, d, b, c, t)
      returning id::text`;
    const vProduct: string[] = [];
    const vSku: string[] = [];
    const vPrice: number[] = [];
    const vStock: number[] = [];
    chunk.forEach((p, i) => {
      p.prices.forEach((price, j) => {
        vProduct.push(ids[i]!.id);
        vSku.push(`${slug}-${start + i}-${j}`);
        vPrice.push(price);
        vStock.push(j === 0 ? p.stock : 0);
      });
    });
    await sql`
      with v as (
        insert into product_variants (merchant_id, product_id, sku, price_amount, currency)
        select ${merchantId}, pid, sku, price, 'USD'
        from unnest(${vProduct}::bigint[], ${vSku}::text[], ${vPrice}::bigint[]) as x(pid, sku, price)
        returning id, sku
      )
      insert into inventory_levels (merchant_id, variant_id, location_id, on_hand)
      select ${merchantId}, v.id, ${loc!.id}, s.stock
      from v join unnest(${vSku}::text[], ${vStock}::int[]) as s(sku, stock) on s.sku = v.sku`;
  }
  return merchantId;
}
