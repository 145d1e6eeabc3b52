import { describe, expect, it } from 'vitest';
import type { ProductDocument } from '../document.ts';
import { buildOrama, oramaSearch, oramaUpdateUs, runOrama } from './orama-baseline.ts';

// The bench's second baseline must search what it is given, with the semantics its comments claim
// (all words, one edit per word, a prefix only when exact): otherwise its figures compare nothing.
const doc = (id: string, name: string, in_stock: boolean): ProductDocument => ({
  id,
  merchant_id: '1',
  name,
  description: '',
  brand: 'Acme',
  category: 'Kitchen',
  tags: [],
  price: 1000,
  min_price: 1000,
  max_price: 1000,
  currency: 'EUR',
  in_stock,
  available: in_stock ? 5 : 0,
  published: true,
  variant_count: 1,
  updated_at: 0,
});
const docs = [doc('1', 'espresso grinder', true), doc('2', 'espresso machine', false), doc('3', 'milk frother', true)];
const q = (text: string, inStock = false) => ({
  q: text,
  facet_by: 'category,brand,in_stock',
  filter_by: inStock ? 'in_stock:true' : '',
});

describe('the Orama baseline', () => {
  it('matches all words, one typo per word, the last word as an exact prefix, and filters in_stock', () => {
    const { db } = buildOrama(docs);
    expect(oramaSearch(db, q('espresso'))).toBe(2);
    expect(oramaSearch(db, q('espreso'))).toBe(2); // one edit
    expect(oramaSearch(db, q('espresso grind'))).toBe(1); // AND, prefix of the last word
    expect(oramaSearch(db, q('espresso mach'))).toBe(1); // the machine, by prefix
    expect(oramaSearch(db, q('espresso mach', true))).toBe(0); // and filtered out: not in stock
    expect(oramaSearch(db, q('milk toaster'))).toBe(0); // AND: both words must match
  });

  it('times updates and runs the whole row the bench prints', () => {
    const { db } = buildOrama(docs, false);
    expect(oramaUpdateUs(db, docs)).toBeGreaterThan(0);
    expect(oramaSearch(db, q('frother'))).toBe(1); // still there after its update
    const run = runOrama(docs, [q('espresso'), q('nothing here')]);
    expect(run.found).toBe(1);
    expect(run.wall).toHaveLength(2);
    expect(run.noSortUpdateUs).toBeGreaterThan(0);
  });
});
