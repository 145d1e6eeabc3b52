import { describe, expect, it } from 'vitest';
import { ProductCache } from './product-cache.ts';
import type { ProductRow } from './product-reader.ts';

const row = (id: string, levels: Array<[string, string, number]>, variantIds = ['11', '12']): ProductRow => ({
  id,
  merchant_id: '1',
  status: 'published',
  name: `Product ${id}`,
  description: '',
  brand: null,
  category: null,
  tags: [],
  updated_ms: '1700000000000',
  min_price: '500',
  max_price: '700',
  currency: 'USD',
  variant_count: variantIds.length,
  available: String(levels.reduce((a, [, , n]) => a + n, 0)),
  variant_ids: variantIds,
  levels: levels.map(([levelId, variantId, available]) => ({ id: levelId, variant_id: variantId, available })),
});

describe('product cache', () => {
  it('keeps the document total from level states, idempotently', () => {
    const cache = new ProductCache();
    cache.put(
      row('1', [
        ['101', '11', 5],
        ['102', '12', 3],
      ]),
    );
    expect(cache.document('1')).toMatchObject({ available: 8, in_stock: true });
    expect(cache.applyLevel('1', '11', '101', 2)).toBe('changed');
    // the same state again (a replay) changes nothing
    expect(cache.applyLevel('1', '11', '101', 2)).toBe('unchanged');
    expect(cache.document('1')).toMatchObject({ available: 5 });
    // a new level at another location, then deletes
    expect(cache.applyLevel('1', '12', '103', 4)).toBe('changed');
    expect(cache.document('1')?.available).toBe(9);
    expect(cache.applyLevel('1', '12', '102', null)).toBe('changed');
    expect(cache.applyLevel('1', '12', '102', null)).toBe('unchanged');
    expect(cache.applyLevel('1', '11', '101', 0)).toBe('changed');
    expect(cache.applyLevel('1', '12', '103', 0)).toBe('changed');
    expect(cache.document('1')).toMatchObject({ available: 0, in_stock: false });
  });

  it('ignores levels of variants the document does not count, and tells a miss', () => {
    const cache = new ProductCache();
    cache.put(row('1', [['101', '11', 5]], ['11']));
    expect(cache.applyLevel('1', '99', '109', 50)).toBe('ignored');
    expect(cache.document('1')?.available).toBe(5);
    expect(cache.applyLevel('2', '21', '201', 1)).toBe('miss');
  });

  it('a fresh read replaces what the events built', () => {
    const cache = new ProductCache();
    cache.put(row('1', [['101', '11', 5]]));
    cache.applyLevel('1', '11', '101', 1);
    cache.put(row('1', [['101', '11', 7]]));
    expect(cache.document('1')?.available).toBe(7);
  });

  it('drops the least recently changed product past its bound', () => {
    const cache = new ProductCache(2);
    cache.put(row('1', [['101', '11', 1]]));
    cache.put(row('2', [['201', '11', 1]]));
    // product 1 is used again: product 2 is now the oldest
    cache.applyLevel('1', '11', '101', 2);
    cache.put(row('3', [['301', '11', 1]]));
    expect(cache.size).toBe(2);
    expect(cache.has('1')).toBe(true);
    expect(cache.has('2')).toBe(false);
    expect(cache.applyLevel('2', '11', '201', 5)).toBe('miss');
  });

  it('a product that is not a document has none', () => {
    const cache = new ProductCache();
    cache.put({ ...row('1', [['101', '11', 5]]), status: 'draft' });
    expect(cache.applyLevel('1', '11', '101', 4)).toBe('changed');
    expect(cache.document('1')).toBeNull();
  });
});
