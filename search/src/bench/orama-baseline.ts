import { create, insertMultiple, search, update } from '@orama/orama';
import type { ProductDocument } from '../document.ts';
import type { BenchQuery } from './queries.ts';

/**
 * Orama 3.1 as a second measured baseline, on the same documents and queries as MiniSearch. The
 * text fields are `string` (so they are searchable; an `enum` would not be), which also makes
 * category and brand facetable; in_stock is `boolean` (facet and filter), price a `number`.
 *
 * What the query options do in Orama 3.1.18 (read from its radix tree, not assumed):
 * - `tolerance: 1` is one Levenshtein edit for every word (no budget by word length; a transposed
 *   pair costs 2, as in MiniSearch).
 * - there is no per-word prefix switch: with `exact` off every word also matches as a prefix, but
 *   only exactly (a word within the tolerance completes nothing), so a typo inside the cut last
 *   word misses.
 * - `threshold: 0` is its AND: all words must match, in the same field (the default is 1, OR).
 */
const schema = {
  name: 'string',
  brand: 'string',
  category: 'string',
  tags: 'string[]',
  description: 'string',
  in_stock: 'boolean',
  price: 'number',
} as const;

export type OramaDb = ReturnType<typeof create<typeof schema>>;

const oramaDoc = (d: ProductDocument) => ({
  id: d.id,
  name: d.name,
  brand: d.brand ?? '',
  category: d.category ?? '',
  tags: d.tags,
  description: d.description,
  in_stock: d.in_stock,
  price: d.price,
});

/** Builds an Orama index of `docs` (insertMultiple, batches of 1,000); sorting on unless told. */
export function buildOrama(docs: ProductDocument[], sortEnabled = true): { db: OramaDb; indexMs: number } {
  const db = create({ schema, ...(sortEnabled ? {} : { sort: { enabled: false } }) });
  const t = performance.now();
  if ((insertMultiple(db, docs.map(oramaDoc), 1_000) as unknown) instanceof Promise)
    throw new Error('orama insertMultiple went async');
  return { db, indexMs: performance.now() - t };
}

/** One bench query; returns the number of matches. Synchronous: no async hooks are registered. */
export function oramaSearch(db: OramaDb, q: BenchQuery): number {
  const r = search(db, {
    term: q.q,
    tolerance: 1,
    threshold: 0,
    boost: { name: 8, brand: 4, category: 3, tags: 3 },
    facets: { category: { limit: 10 }, brand: { limit: 10 }, in_stock: {} },
    ...(q.filter_by ? { where: { in_stock: true } } : {}),
    limit: 20,
  });
  if (r instanceof Promise) throw new Error('orama search went async');
  return r.count;
}

/** µs per replaced document: Orama's update() (remove + insert under the same id). */
export function oramaUpdateUs(db: OramaDb, sample: ProductDocument[]): number {
  const t = performance.now();
  for (const d of sample) {
    if ((update(db, d.id, oramaDoc({ ...d, price: d.price + 1 })) as unknown) instanceof Promise)
      throw new Error('orama update went async');
  }
  return ((performance.now() - t) / sample.length) * 1000;
}

/** With sorting on, each update costs tens of ms at 100k (measured), so fewer are timed. */
export const SORTED_UPDATES = 100;

export interface OramaRun {
  indexMs: number;
  noSortIndexMs: number;
  wall: number[];
  cpu: number[];
  found: number;
  updateUs: number;
  noSortUpdateUs: number;
}

/**
 * The whole Orama row: index (sorting on, the default), every query once with wall and CPU time,
 * SORTED_UPDATES updates; then, with the first index dropped, a second one with
 * `sort: { enabled: false }` for its index time and the same 1,000 updates as the other engines.
 */
export function runOrama(docs: ProductDocument[], queries: BenchQuery[]): OramaRun {
  const withSort = sortedRun(docs, queries);
  const noSort = buildOrama(docs, false);
  const noSortUpdateUs = oramaUpdateUs(noSort.db, docs.slice(0, 1_000));
  return { ...withSort, noSortIndexMs: noSort.indexMs, noSortUpdateUs };
}

function sortedRun(docs: ProductDocument[], queries: BenchQuery[]) {
  const { db, indexMs } = buildOrama(docs);
  const wall: number[] = [];
  const cpu: number[] = [];
  let found = 0;
  for (const q of queries) {
    const c = process.cpuUsage();
    const s = performance.now();
    const n = oramaSearch(db, q);
    wall.push(performance.now() - s);
    const d = process.cpuUsage(c);
    cpu.push((d.user + d.system) / 1000);
    if (n > 0) found++;
  }
  const updateUs = oramaUpdateUs(db, docs.slice(0, SORTED_UPDATES));
  return { indexMs, wall, cpu, found, updateUs };
}
