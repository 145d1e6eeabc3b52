import { beforeEach, describe, expect, it } from 'vitest';
import type { ProductDocument } from '../document.ts';
import { parseSearchRequest, type SearchParams } from '../query/search-request.ts';
import { demoDocument, demoDocuments } from '../testing/demo-catalog.ts';
import type { SearchEngine } from './engine.ts';

/**
 * The behaviour every SearchEngine must have. Run against the embedded engine always, and against
 * a real Typesense when TYPESENSE_URL is set (typesense-contract.test.ts). `fresh` must return an
 * engine with an empty index.
 */
export function engineContract(name: string, fresh: () => Promise<SearchEngine>): void {
  describe(`SearchEngine contract: ${name}`, () => {
    const store = '101';
    const other = '202';
    let engine: SearchEngine;
    let docs: ProductDocument[];

    const search = (params: SearchParams, merchant = store) => engine.search(merchant, parseSearchRequest(params));
    const names = async (params: SearchParams, merchant = store) =>
      (await search(params, merchant)).hits.map((h) => h.document.name);
    const byName = (n: string) => docs.find((d) => d.name === n)!;

    beforeEach(async () => {
      engine = await fresh();
      docs = demoDocuments(store);
      await engine.upsert(docs);
      await engine.upsert([
        { ...demoDocument({ ...DEMO_OTHER }, other), id: '900001' },
        { ...demoDocument({ ...DEMO_OTHER, name: 'Chicken Burger Deluxe' }, other), id: '900002' },
      ]);
    });

    it('stores and returns documents by id', async () => {
      expect(await engine.get(byName('Espresso').id)).toEqual(byName('Espresso'));
      expect(await engine.get('424242')).toBeNull();
    });

    it('finds exact words and ranks name matches above description matches', async () => {
      const result = await search({ q: 'chicken burger' });
      expect(result.hits[0]?.document.name).toBe('Chicken Burger');
      // Chicken Wings mentions "chicken burger" only in its description: found, but after
      expect(result.hits.map((h) => h.document.name)).toContain('Chicken Wings');
      expect(result.found).toBe(2);
    });

    it('matches the last word as a prefix', async () => {
      expect((await names({ q: 'marg' }))[0]).toBe('Margherita Pizza');
      expect(await names({ q: 'pepp' })).toEqual(['Pepperoni Pizza']);
      expect(await names({ q: 'pizza marg' })).toEqual(['Margherita Pizza']);
      // only the last word is a prefix: "marg" as a first word is not a whole word of any name
      expect((await names({ q: 'marg chees' }))[0]).not.toBe('Margherita Pizza');
    });

    it('tolerates one typo from 4 characters and two from 7 (Damerau: a transposition is one)', async () => {
      expect((await names({ q: 'chiken burgr' }))[0]).toBe('Chicken Burger');
      expect(await names({ q: 'tirmisu' })).toEqual(['Tiramisu']);
      const espresso = await names({ q: 'espersso' });
      expect(espresso[0]).toBe('Espresso');
      expect(espresso.slice(1).sort()).toEqual(['Cappuccino', 'Tiramisu']);
      expect(await names({ q: 'capucino' })).toEqual(['Cappuccino']);
      // 3 characters: no typo allowed
      expect(await names({ q: 'pie' })).toEqual(['Apple Pie']);
      expect(await names({ q: 'pje' })).toEqual([]);
      expect(await names({ q: 'onoin rongs' })).toEqual(['Onion Rings']);
      // 5 and 6 characters: one typo, not two
      expect(await names({ q: 'wingz' })).toEqual(['Chicken Wings']);
      expect(await names({ q: 'wingzz' })).toEqual([]);
    });

    it('ranks an exact or prefix match above a typo match', async () => {
      await engine.upsert([
        { ...byName('Greek Salad'), id: '777001', name: 'Chicken Fried Rice', description: '' },
        { ...byName('Apple Pie'), id: '777002', name: 'Chicken Fries', description: '' },
        { ...byName('Apple Pie'), id: '777003', name: 'Chicken Fries with Rice', description: '' },
      ]);
      // while exact/prefix candidates give results, typo variants ("fried" for "fries") are not used
      expect(await names({ q: 'chiken fries' })).toEqual(['Chicken Fries', 'Chicken Fries with Rice']);
      expect(await names({ q: 'chiken fries rice' })).toEqual(['Chicken Fries with Rice']);
      // prefix completions count as 0 typos
      expect((await names({ q: 'chicken frie' })).sort()).toEqual([
        'Chicken Fried Rice',
        'Chicken Fries',
        'Chicken Fries with Rice',
      ]);
    });

    it('filters with Typesense syntax', async () => {
      expect(await names({ q: 'pizza', filter_by: 'price:<1000' })).toEqual(['Marinara Pizza']);
      expect(await names({ q: '*', filter_by: 'category:=Pizza && price:[1200..1400]', sort_by: 'price:asc' })).toEqual(
        ['Pepperoni Pizza', 'Four Cheese Pizza'],
      );
      expect(
        (await names({ q: '*', filter_by: 'brand:=[Shake Bar, Bean Co] && in_stock:true', per_page: '100' })).sort(),
      ).toEqual(['Cappuccino', 'Chocolate Milkshake', 'Espresso', 'Fresh Lemonade', 'Iced Tea', 'Vanilla Milkshake']);
      expect(await names({ q: 'burger', filter_by: 'in_stock:false' })).toEqual(['Double Bacon Burger']);
      expect(await names({ q: 'salad', filter_by: 'tags:!=vegetarian' })).toEqual([]);
      expect(
        await names({ q: 'pizza', filter_by: '(tags:=vegan || tags:=pork) && price:>=900', sort_by: 'price:asc' }),
      ).toEqual(['Marinara Pizza', 'Pepperoni Pizza']);
    });

    it('counts facets over the matching documents', async () => {
      const all = await search({ q: '*', facet_by: 'category,in_stock' });
      const category = all.facets.find((f) => f.field === 'category')!;
      expect(category.counts.slice(0, 2).map((c) => c.count)).toEqual([4, 4]);
      expect(category.counts.find((c) => c.value === 'Pizza')).toEqual({ value: 'Pizza', count: 4 });
      expect(category.counts.find((c) => c.value === 'Burgers')).toEqual({ value: 'Burgers', count: 4 });
      const stock = all.facets.find((f) => f.field === 'in_stock')!;
      expect(stock.counts).toEqual([
        { value: 'true', count: 22 },
        { value: 'false', count: 2 },
      ]);
      const filtered = await search({ q: '*', facet_by: 'category', filter_by: 'brand:=Forno Rosso' });
      expect(filtered.facets[0]!.counts).toEqual([
        { value: 'Pizza', count: 4 },
        { value: 'Desserts', count: 1 },
      ]);
      const tags = await search({ q: 'pizza', facet_by: 'tags', max_facet_values: '2' });
      expect(tags.facets[0]!.counts).toEqual([
        { value: 'classic', count: 2 },
        { value: 'vegetarian', count: 2 },
      ]);
    });

    it('sorts by fields and pages through results', async () => {
      const cheap = await names({ q: '*', sort_by: 'price:asc', per_page: '3' });
      expect(cheap).toEqual(['Espresso', 'French Fries', 'Iced Tea']);
      const page2 = await search({ q: '*', sort_by: 'price:asc', per_page: '3', page: '2' });
      expect(page2.hits.map((h) => h.document.name)).toEqual(['Cappuccino', 'Fresh Lemonade', 'Onion Rings']);
      expect(page2.found).toBe(24);
      expect(page2.page).toBe(2);
      const dear = await names({ q: 'pizza', sort_by: 'max_price:desc' });
      expect(dear[0]).toBe('Pepperoni Pizza');
    });

    it('highlights the matched part of the name', async () => {
      const [hit] = (await search({ q: 'marg' })).hits;
      expect(hit?.highlight.name).toBe('<mark>Marg</mark>herita Pizza');
      const [typo] = (await search({ q: 'chiken burgr' })).hits;
      expect(typo?.highlight.name).toBe('<mark>Chicken</mark> <mark>Burger</mark>');
    });

    it('never shows another store or unpublished documents', async () => {
      expect(await names({ q: 'chicken burger' }, other)).toEqual(['Chicken Burger', 'Chicken Burger Deluxe']);
      expect((await search({ q: '*' }, other)).found).toBe(2);
      expect((await names({ q: 'chicken burger' })).includes('Chicken Burger Deluxe')).toBe(false);
      await engine.upsert([{ ...byName('Espresso'), published: false }]);
      expect(await names({ q: 'espresso' })).not.toContain('Espresso');
      expect((await search({ q: 'espresso' })).found).toBe(2);
      expect((await search({ q: '*' }, '303')).found).toBe(0);
    });

    it('replaces on upsert and forgets on remove', async () => {
      await engine.upsert([{ ...byName('Iced Tea'), name: 'Iced Matcha Tea', price: 999, min_price: 999 }]);
      expect(await names({ q: 'matcha' })).toEqual(['Iced Matcha Tea']);
      expect((await search({ q: 'matcha' })).hits[0]?.document.price).toBe(999);
      expect(await names({ q: 'peach', filter_by: 'price:<400' })).toEqual([]);
      await engine.remove([byName('Iced Tea').id, 'not-there']);
      expect(await names({ q: 'matcha' })).toEqual([]);
      expect(await engine.get(byName('Iced Tea').id)).toBeNull();
    });

    it('an upsert that changes only numbers (stock) updates filters, facets and sorting, text stays', async () => {
      const espresso = byName('Espresso');
      await engine.upsert([{ ...espresso, available: 0, in_stock: false }]);
      expect(await names({ q: 'espresso', filter_by: 'in_stock:false' })).toEqual(['Espresso']);
      expect(await names({ q: 'espresso', filter_by: 'in_stock:true' })).not.toContain('Espresso');
      const stock = (await search({ q: '*', facet_by: 'in_stock' })).facets[0]!;
      expect(stock.counts).toEqual([
        { value: 'true', count: 21 },
        { value: 'false', count: 3 },
      ]);
      await engine.upsert([{ ...espresso, available: 1_000_000 }]);
      expect((await names({ q: '*', sort_by: 'available:desc', per_page: '1' }))[0]).toBe('Espresso');
      expect(await names({ q: 'espreso' })).toContain('Espresso');
      expect((await engine.get(espresso.id))?.available).toBe(1_000_000);
    });

    it('reindexes into a fresh index in one swap', async () => {
      async function* batches() {
        yield [demoDocument({ ...DEMO_OTHER, name: 'Only Product' }, store, '555001')];
      }
      const progress: number[] = [];
      const result = await engine.reindex(batches(), (p) => progress.push(p.done));
      expect(result.count).toBe(1);
      expect(progress).toEqual([1]);
      expect(await names({ q: '*' })).toEqual(['Only Product']);
      expect((await search({ q: '*' }, other)).found).toBe(0);
    });
  });
}

const DEMO_OTHER = {
  name: 'Chicken Burger',
  description: 'Another store',
  brand: 'Elsewhere',
  category: 'Burgers',
  tags: [],
  prices: [500],
  stock: 3,
};
