import { DEMO_RESTAURANT_SLUG, DEMO_RETAIL_SLUG, seedDemo } from '@commerce/infra';
import { createTestDatabase } from '@commerce/infra/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedEngine } from '../engine/embedded/embedded-engine.ts';
import { createSearchIndexer } from '../indexer/search-indexer.ts';
import { createSearchRoutes } from './search-routes.ts';

/** Relevance on the project's real demo data (infra's seed: the bistro menu and the retail store). */
const db = await createTestDatabase();
afterAll(() => db.drop());
const engine = new EmbeddedEngine();
const app = createSearchRoutes({ engine, sql: db.sql });

beforeAll(async () => {
  await seedDemo(db.sql, { retailProducts: 2_000 });
  await createSearchIndexer({ sql: db.sql, engine }).rebuild();
});

async function names(slug: string, q: string): Promise<string[]> {
  const res = await app.request(`/stores/${slug}/search?q=${encodeURIComponent(q)}`);
  expect(res.status).toBe(200);
  const body = (await res.json()) as { hits: Array<{ document: { name: string } }> };
  return body.hits.map((h) => h.document.name);
}

describe('relevance on the demo bistro menu', () => {
  it.each([
    ['chiken burgr', 'Chicken Burger'],
    ['chicken burger', 'Chicken Burger'],
    ['marg', 'Margherita Pizza'],
    ['margarita pizza', 'Margherita Pizza'],
    ['pepperoni pizza', 'Pepperoni Pizza'],
    ['sweet potato', 'Sweet Potato Fries'],
    ['fish chips', 'Fish and Chips'],
    ['capuccino', 'Cappuccino'],
    ['chicken wings', 'Chicken Wings'],
    ['mozarella sticks', 'Mozzarella Sticks'],
  ])('%s → %s first', async (q, expected) => {
    expect((await names(DEMO_RESTAURANT_SLUG, q))[0]).toBe(expected);
  });

  it('keeps the two demo stores apart', async () => {
    expect(await names(DEMO_RETAIL_SLUG, 'chicken burger')).not.toContain('Chicken Burger');
  });
});
