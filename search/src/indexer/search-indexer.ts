import {
  type ChangeBatch,
  type ChangeEvent,
  type ChangeSink,
  comparePositions,
  isRetriable,
  type Logger,
  type Row,
} from '@commerce/common';
import type { Sql } from 'postgres';
import type { SearchEngine } from '../engine/engine.ts';
import { SearchError } from '../errors.ts';
import { ProductCache } from './product-cache.ts';
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
  /** products read from Postgres (catalog changes, cache misses) */
  productReads: number;
  /** stock level changes applied to a cached product without reading Postgres */
  stockFromCache: number;
  lastPosition: string | null;
}

export interface SearchIndexer extends ChangeSink {
  /** loads every published product into the engine (embedded engine at startup; reindex) */
  rebuild(): Promise<number>;
  stats(): SearchIndexerStats;
}

export interface SearchIndexerOptions {
  /** products whose stock levels are kept in memory (least recently changed are dropped) */
  cachedProducts?: number;
}

const PRODUCTS = 'public.products';
const VARIANTS = 'public.product_variants';
const LEVELS = 'public.inventory_levels';

/**
 * The cdc sink that keeps the search index in step with the catalog. A product or variant change
 * re-reads that product's document from Postgres and upserts it, or removes it when it is no
 * longer a published product with an active variant: re-reading instead of patching makes the
 * sink idempotent and order-insensitive. Stock changes, one or more per order, are applied from
 * the change event to the product as last read (product-cache.ts): only the first stock change of
 * a product not yet cached reads it. Batches at or below the last applied position are skipped.
 * Stock: a level change matters when on_hand − reserved changes (the document carries the total and
 * in_stock); updates that leave it equal (threshold edits, touches) are ignored.
 */
export function createSearchIndexer(deps: SearchIndexerDeps & SearchIndexerOptions): SearchIndexer {
  const { sql, engine } = deps;
  // variant → product, learned from reads and events; a variant delete carries only its id
  // (product_variants has the default replica identity)
  const variantOwner = new Map<string, string>();
  const cache = new ProductCache(deps.cachedProducts);
  const stats: SearchIndexerStats = {
    batches: 0,
    skippedReplays: 0,
    upserts: 0,
    removals: 0,
    unchanged: 0,
    productReads: 0,
    stockFromCache: 0,
    lastPosition: null,
  };

  async function rebuild(): Promise<number> {
    cache.clear();
    const rows = readAllDocuments(sql, 1_000, (row) => {
      for (const v of row.variant_ids) variantOwner.set(v, row.id);
    });
    const result = await engine.reindex(rows);
    return result.count;
  }

  async function refresh(productIds: Set<string>): Promise<void> {
    const ids = [...productIds];
    const rows = await readProducts(sql, ids);
    stats.productReads += ids.length;
    const seen = new Set<string>();
    const upserts = [];
    const removals: string[] = [];
    for (const row of rows) {
      seen.add(row.id);
      for (const v of row.variant_ids) variantOwner.set(v, row.id);
      cache.put(row);
      const doc = toDocument(row);
      if (!doc) {
        removals.push(row.id);
        continue;
      }
      const current = await engine.get(doc.id);
      if (current && sameDocument(current, doc)) stats.unchanged++;
      else upserts.push(doc);
    }
    for (const id of ids) {
      if (seen.has(id)) continue;
      cache.delete(id);
      removals.push(id);
    }
    try {
      if (upserts.length > 0) await engine.upsert(upserts);
      if (removals.length > 0) await engine.remove(removals);
    } catch (error) {
      // as in applyStock: a redelivery must not find these products cached and up to date
      for (const id of ids) cache.delete(id);
      throw error;
    }
    stats.upserts += upserts.length;
    stats.removals += removals.length;
  }

  /** Stock changes of cached products, applied from the events; what is not cached joins `reread`. */
  async function applyStock(levels: readonly LevelChange[], reread: Set<string>): Promise<void> {
    const changed = new Set<string>();
    for (const level of levels) {
      const product = variantOwner.get(level.variantId);
      if (product === undefined || reread.has(product)) continue;
      const outcome = cache.applyLevel(product, level.variantId, level.levelId, level.available);
      if (outcome === 'miss') reread.add(product);
      else {
        stats.stockFromCache++;
        if (outcome === 'changed') changed.add(product);
      }
    }
    // a product read below is current anyway; the rest become documents from the cache
    const upserts = [];
    for (const product of changed) {
      if (reread.has(product)) continue;
      const doc = cache.document(product);
      if (doc) upserts.push(doc);
    }
    if (upserts.length === 0) return;
    try {
      await engine.upsert(upserts);
    } catch (error) {
      // the cache is ahead of the engine now: forget those products so the redelivered batch
      // reads and writes them again (their levels would otherwise look unchanged)
      for (const doc of upserts) cache.delete(doc.id);
      throw error;
    }
    stats.upserts += upserts.length;
  }

  async function handle(batch: ChangeBatch): Promise<void> {
    if (stats.lastPosition !== null && comparePositions(batch.position, stats.lastPosition) <= 0) {
      stats.skippedReplays++;
      return;
    }
    try {
      const { products, variants, levels, truncated } = affected(batch.events, variantOwner, deps.logger);
      if (truncated) {
        await rebuild();
      } else {
        // variants of unknown product (their stock changes included) must be looked up first
        const unknown = new Set(variants);
        for (const level of levels) if (!variantOwner.has(level.variantId)) unknown.add(level.variantId);
        let visible = false;
        if (unknown.size > 0) {
          await waitUntilVisible(sql, txIdsOf(batch.events));
          visible = true;
          for (const [variant, product] of await productsOfVariants(sql, [...unknown])) {
            variantOwner.set(variant, product);
            products.add(product);
          }
          for (const variant of unknown) {
            const known = variantOwner.get(variant);
            if (known) products.add(known);
            else deps.logger?.warn({ variant }, 'search: change to a variant of unknown product ignored');
          }
        }
        await applyStock(levels, products);
        if (products.size > 0) {
          if (!visible) await waitUntilVisible(sql, txIdsOf(batch.events));
          await refresh(products);
        }
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

/** A stock level's state after a change: on_hand − reserved, or null when it was deleted. */
export interface LevelChange {
  levelId: string;
  variantId: string;
  available: number | null;
}

/**
 * Which products a batch touches through the catalog (to be re-read), variants whose product must
 * be looked up, and stock level changes (applied from the events where the product is cached).
 */
export function affected(
  events: readonly ChangeEvent[],
  variantOwner: Map<string, string>,
  logger?: Logger,
): { products: Set<string>; variants: Set<string>; levels: LevelChange[]; truncated: boolean } {
  const products = new Set<string>();
  const variants = new Set<string>();
  const levels: LevelChange[] = [];
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
      if (!e.before && !e.after) {
        logger?.warn({ position: e.position }, 'search: stock change without rows ignored');
        continue;
      }
      const level = levelChange(e);
      if (level) levels.push(level);
      else {
        // a level that moved between variants, or values we cannot read: re-read its products
        for (const row of [e.before, e.after]) {
          const v = id(row, 'variant_id');
          if (v) variants.add(v);
        }
      }
    }
  }
  return { products, variants, levels, truncated };
}

const num = (row: Row, c: string) => (typeof row[c] === 'number' ? (row[c] as number) : Number.NaN);

/** The level's new state from its change event, or null when the event cannot tell it exactly. */
function levelChange(e: ChangeEvent): LevelChange | null {
  const levelId = id(e.after, 'id') ?? id(e.before, 'id') ?? id(e.key, 'id');
  const variantId = id(e.after, 'variant_id') ?? id(e.before, 'variant_id');
  if (!levelId || !variantId) return null;
  if (e.before && e.after && id(e.before, 'variant_id') !== null && id(e.before, 'variant_id') !== variantId)
    return null;
  if (e.op === 'd') return { levelId, variantId, available: null };
  const available = e.after ? num(e.after, 'on_hand') - num(e.after, 'reserved') : Number.NaN;
  return Number.isNaN(available) ? null : { levelId, variantId, available };
}

function stockChanged(e: ChangeEvent): boolean {
  const before = e.before;
  const after = e.after;
  if (!before || !after) return true;
  // unchanged TOAST columns are absent from `after`; integers are never TOASTed, but be safe
  const total = (row: Row) => num(row, 'on_hand') - num(row, 'reserved');
  if (Number.isNaN(total(before)) || Number.isNaN(total(after))) return true;
  return total(before) !== total(after) || id(before, 'variant_id') !== id(after, 'variant_id');
}
