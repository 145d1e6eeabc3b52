import { createTestDatabase } from '@commerce/infra/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedEngine } from '../engine/embedded/embedded-engine.ts';
import { createSearchIndexer } from '../indexer/search-indexer.ts';
import { DEMO_PRODUCTS } from '../testing/demo-catalog.ts';
import { seedStore } from '../testing/seed-catalog.ts';
import { createSearchRoutes } from './search-routes.ts';

const db = await createTestDatabase();
afterAll(() => db.drop());

const engine = new EmbeddedEngine();
const app = createSearchRoutes({ engine, sql: db.sql });

beforeAll(async () => {
  await seedStore(db.sql, 'demo-diner', DEMO_PRODUCTS);
  await seedStore(db.sql, 'rival', [{ ...DEMO_PRODUCTS[0]!, name: 'Rival Chicken Burger' }]);
  await db.sql`update products set status = 'draft' where name = 'Apple Pie'`;
  await createSearchIndexer({ sql: db.sql, engine }).rebuild();
});

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies are asserted structurally
type Body = Record<string, any>;

async function get(path: string) {
  const res = await app.request(path);
  return { status: res.status, body: (await res.json()) as Body };
}
const search = (q: string, extra = '') => get(`/stores/demo-diner/search?q=${encodeURIComponent(q)}${extra}`);
const firstName = async (q: string) => (await search(q)).body.hits[0]?.document.name;

describe('GET /stores/:storeSlug/search', () => {
  it('answers hits with highlighted names, found, facet counts and timing', async () => {
    const { status, body } = await search('chiken burgr', '&facet_by=category,in_stock');
    expect(status).toBe(200);
    expect(body.hits[0].document).toMatchObject({ name: 'Chicken Burger', price: 950, in_stock: true });
    expect(body.hits[0].highlight.name).toBe('<mark>Chicken</mark> <mark>Burger</mark>');
    expect(body.found).toBeGreaterThanOrEqual(1);
    expect(body.facet_counts.map((f: { field: string }) => f.field)).toEqual(['category', 'in_stock']);
    expect(typeof body.search_time_ms).toBe('number');
    expect(body.page).toBe(1);
    expect(body.per_page).toBe(20);
  });

  it('ranks the intended product first on the demo catalog (misspellings, prefixes, multi-word)', async () => {
    expect(await firstName('chiken burgr')).toBe('Chicken Burger');
    expect(await firstName('marg')).toBe('Margherita Pizza');
    expect(await firstName('margarita')).toBe('Margherita Pizza');
    expect(await firstName('pepperoni pizza')).toBe('Pepperoni Pizza');
    expect(await firstName('pizza pepp')).toBe('Pepperoni Pizza');
    expect(await firstName('chicken wings')).toBe('Chicken Wings');
    expect(await firstName('sweet potato')).toBe('Sweet Potato Fries');
    expect(await firstName('chocolate shake')).toBe('Chocolate Milkshake');
    expect(await firstName('capuccino')).toBe('Cappuccino');
    expect(await firstName('veggie burger')).toBe('Veggie Burger');
    expect(await firstName('ceasar salad')).toBe('Caesar Salad');
    expect(await firstName('lemonade')).toBe('Fresh Lemonade');
  });

  it('shows only published products of that store', async () => {
    expect(
      (await search('apple pie')).body.hits.map((h: { document: { name: string } }) => h.document.name),
    ).not.toContain('Apple Pie');
    const all = await search('*', '&per_page=100');
    expect(all.body.found).toBe(DEMO_PRODUCTS.length - 1);
    expect(all.body.hits.some((h: { document: { name: string } }) => h.document.name.startsWith('Rival'))).toBe(false);
    expect((await get('/stores/rival/search?q=burger')).body.found).toBe(1);
  });

  it('filters, sorts and pages', async () => {
    const { body } = await search('*', '&filter_by=category:=Pizza%20%26%26%20price:<1200&sort_by=price:desc');
    expect(body.hits.map((h: { document: { name: string } }) => h.document.name)).toEqual([
      'Margherita Pizza',
      'Marinara Pizza',
    ]);
  });

  it('400 naming the position for bad filter syntax, 400 for unknown fields and bad params', async () => {
    const syntax = await search('x', '&filter_by=price:>10%20%26%26');
    expect(syntax.status).toBe(400);
    expect(syntax.body.error).toMatchObject({ code: 'search.filter_syntax', details: { position: 12 } });
    expect(syntax.body.error.message).toMatch(/position 12/);
    const unknown = await search('x', '&filter_by=colour:=red');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('search.unknown_field');
    expect((await search('x', '&facet_by=description')).status).toBe(400);
    expect((await search('x', '&sort_by=secret:asc')).body.error.code).toBe('search.unknown_field');
    expect((await search('x', '&per_page=101')).status).toBe(400);
    expect((await search('x', '&page=0')).status).toBe(400);
  });

  it('404 for an unknown store', async () => {
    const res = await get('/stores/nobody-here/search?q=x');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('search.store_not_found');
  });
});

describe('storefront assets', () => {
  it('serves the page with the store name escaped, and its JS and CSS', async () => {
    const page = await app.request('/stores/demo-diner');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<title>Store demo-diner · Search</title>');
    expect(html).toContain('data-store="demo-diner"');
    const js = await app.request('/storefront/storefront.js');
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect(await js.text()).toContain('AbortController');
    expect((await app.request('/storefront/storefront.css')).headers.get('content-type')).toMatch(/css/);
    expect((await app.request('/stores/nobody-here')).status).toBe(404);
  });

  it('has no scoped key endpoint with the embedded engine', async () => {
    expect((await app.request('/stores/demo-diner/search-key')).status).toBe(404);
  });
});
