import {
  type ChangeBatch,
  type ChangeEvent,
  type ChangeSink,
  comparePositions,
  isRetriable,
  type Logger,
} from '@commerce/common';
import type { Sql } from 'postgres';
import type { SearchEngine } from '../engine/engine.ts';
import { SearchError } from '../errors.ts';
import { productsOfVariants, readAllDocuments, readProducts, toDocument } from './product-reader.ts';
import { waitUntilVisible } from './wait-visible.ts';

export interface SearchIndexerDeps {
  sql: Sql;
  engine: SearchEngine;
  logger?: Logger;
}

export interface SearchIndexerStats {
  batches: number;
  skippedReplays: number;
  upserts: number;
  removals: number;
  unchanged: number;
  lastPosition: string | null;
}

export interface SearchIndexer extends ChangeSink {
  /** loads every published product into the engine (embedded engine at startup; reindex) */
  rebuild(): Promise<number>;
  stats(): SearchIndexerStats;
}

const PRODUCTS = 'public.products';
const VARIANTS = 'public.product_variants';
const LEVELS = 'public.inventory_levels';

/**
 * The cdc sink that keeps the search index in step with the catalog. For every product a batch
 * touches (directly, through a variant, or through a stock level) it re-reads that product's
 * document from Postgres and upserts it, or removes it when it is no longer a published product
 * with an active variant. Re-reading instead of patching documents from event payloads makes the
 * sink idempotent and order-insensitive: a replayed batch yields the document as it is now.
 * Batches at or below the last applied position are skipped outright.
 * Stock: a level change matters when on_hand − reserved changes (the document carries the total and
 * in_stock); updates that leave it equal (threshold edits, touches) are ignored.
 */
export function createSearchIndexer(deps: SearchIndexerDeps): SearchIndexer {
  const { sql, engine } = deps;
  // variant → product, learned from reads and events; a variant delete carries only its id
  // (product_variants has the default replica identity)
  const variantOwner = new Map<string, string>();
  const stats: SearchIndexerStats = {
    batches: 0,
    skippedReplays: 0,
    upserts: 0,
    removals: 0,
    unchanged: 0,
    lastPosition: null,
  };

  async function rebuild(): Promise<number> {
    const rows = readAllDocuments(sql, 1_000, (row) => {
      for (const v of row.variant_ids) variantOwner.set(v, row.id);
    });
    const result = await engine.reindex(rows);
    return result.count;
  }

  async function refresh(productIds: Set<string>): Promise<void> {
    const ids = [...productIds];
    const rows = await readProducts(sql, ids);
    const seen = new Set<string>();
    const upserts = [];
    const removals: string[] = [];
    for (const row of rows) {
      seen.add(row.id);
      for (const v of row.variant_ids) variantOwner.set(v, row.id);
      const doc = toDocument(row);
      if (!doc) {
        removals.push(row.id);
        continue;
      }
      const current = await engine.get(doc.id);
      if (current && sameDocument(current, doc)) stats.unchanged++;
      else upserts.push(doc);
    }
    for (const id of ids) if (!seen.has(id)) removals.push(id);
    if (upserts.length > 0) await engine.upsert(upserts);
    if (removals.length > 0) await engine.remove(removals);
    stats.upserts += upserts.length;
    stats.removals += removals.length;
  }

  async function handle(batch: ChangeBatch): Promise<void> {
    if (stats.lastPosition !== null && comparePositions(batch.position, stats.lastPosition) <= 0) {
      stats.skippedReplays++;
      return;
    }
    try {
      const { products, variants, truncated } = affected(batch.events, variantOwner, deps.logger);
      if (truncated) {
        await rebuild();
      } else if (products.size > 0 || variants.size > 0) {
        await waitUntilVisible(sql, txIdsOf(batch.events));
        if (variants.size > 0) {
          const owners = await productsOfVariants(sql, [...variants]);
          for (const [variant, product] of owners) {
            variantOwner.set(variant, product);
            products.add(product);
          }
          for (const variant of variants) {
            const known = variantOwner.get(variant);
            if (known) products.add(known);
            else deps.logger?.warn({ variant }, 'search: change to a variant of unknown product ignored');
          }
        }
        if (products.size > 0) await refresh(products);
      }
    } catch (error) {
      if (error instanceof SearchError || isRetriable(error)) throw error;
      // Postgres/network trouble while re-reading: retriable, the source redelivers the batch
      throw new SearchError('unavailable', 'search.engine_unavailable', 'search indexer could not apply a batch', {
        cause: error,
        retriable: true,
      });
    }
    stats.batches++;
    stats.lastPosition = batch.position;
  }

  return { name: 'search', handle, rebuild, stats: () => ({ ...stats }) };
}

function txIdsOf(events: readonly ChangeEvent[]): string[] {
  const ids = new Set<string>();
  for (const e of events) if (e.txId !== null && /^\d+$/.test(e.txId)) ids.add(e.txId);
  return [...ids];
}

function sameDocument(a: object, b: object): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function id(row: ChangeEvent['after'], column: string): string | null {
  const value = row?.[column];
  return typeof value === 'string' || typeof value === 'number' ? String(value) : null;
}

/** Which products a batch touches, and variants whose product must be looked up. */
export function affected(
  events: readonly ChangeEvent[],
  variantOwner: Map<string, string>,
  logger?: Logger,
): { products: Set<string>; variants: Set<string>; truncated: boolean } {
  const products = new Set<string>();
  const variants = new Set<string>();
  let truncated = false;
  for (const e of events) {
    if (e.op === 't' && (e.table === PRODUCTS || e.table === VARIANTS || e.table === LEVELS)) {
      truncated = true;
      continue;
    }
    if (e.table === PRODUCTS) {
      const p = id(e.after, 'id') ?? id(e.before, 'id') ?? id(e.key, 'id');
      if (p) products.add(p);
    } else if (e.table === VARIANTS) {
      const variant = id(e.after, 'id') ?? id(e.before, 'id') ?? id(e.key, 'id');
      for (const row of [e.before, e.after]) {
        const p = id(row, 'product_id');
        if (p) {
          products.add(p);
          if (variant && row === e.after) variantOwner.set(variant, p);
        }
      }
      if (variant && !id(e.after, 'product_id') && !id(e.before, 'product_id')) variants.add(variant);
    } else if (e.table === LEVELS) {
      if (e.op === 'u' && !stockChanged(e)) continue;
      for (const row of [e.before, e.after]) {
        const v = id(row, 'variant_id');
        if (v) variants.add(v);
      }
      if (!e.before && !e.after) logger?.warn({ position: e.position }, 'search: stock change without rows ignored');
    }
  }
  return { products, variants, truncated };
}

function stockChanged(e: ChangeEvent): boolean {
  const before = e.before;
  const after = e.after;
  if (!before || !after) return true;
  // unchanged TOAST columns are absent from `after`; integers are never TOASTed, but be safe
  const num = (row: typeof before, c: string) => (typeof row[c] === 'number' ? (row[c] as number) : Number.NaN);
  const total = (row: typeof before) => num(row, 'on_hand') - num(row, 'reserved');
  if (Number.isNaN(total(before)) || Number.isNaN(total(after))) return true;
  return total(before) !== total(after) || id(before, 'variant_id') !== id(after, 'variant_id');
}
