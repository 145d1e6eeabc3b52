import type { ProductDocument } from '../document.ts';
import { type ProductRow, toDocument } from './product-reader.ts';

interface CachedProduct {
  /** the product as last read from Postgres; `available` is kept current from stock events */
  row: ProductRow;
  activeVariants: Set<string>;
  /** stock level id → on_hand − reserved, for the levels of active variants */
  levels: Map<string, number>;
  available: number;
}

/** What a stock level's change did to its product's document. */
export type LevelOutcome =
  /** the product is not cached: read it from Postgres */
  | 'miss'
  /** the level belongs to an inactive variant: the document does not count it */
  | 'ignored'
  | 'unchanged'
  | 'changed';

/**
 * Products the indexer has read, with their stock per level, so a stock change updates the
 * document from the change event alone: no Postgres read, which at one or more stock changes per
 * order would otherwise be the indexer's main cost. Levels hold absolute values (the event's
 * after-image), never deltas, so applying an event twice, or an older event after a fresher read,
 * converges to the current state as later events arrive in commit order. Anything else that
 * shapes a document (products, variants) is re-read and replaces the entry. Bounded: the least
 * recently used products are dropped and read again on their next change.
 */
export class ProductCache {
  private readonly products = new Map<string, CachedProduct>();

  constructor(private readonly maxProducts = 50_000) {}

  get size(): number {
    return this.products.size;
  }

  has(productId: string): boolean {
    return this.products.has(productId);
  }

  /** Replaces a product with a fresh read (which must carry its levels). */
  put(row: ProductRow): void {
    const levels = new Map<string, number>();
    let available = 0;
    for (const level of row.levels ?? []) {
      levels.set(level.id, level.available);
      available += level.available;
    }
    this.products.delete(row.id);
    this.products.set(row.id, { row, activeVariants: new Set(row.variant_ids), levels, available });
    if (this.products.size > this.maxProducts) {
      const oldest = this.products.keys().next();
      if (!oldest.done) this.products.delete(oldest.value);
    }
  }

  delete(productId: string): void {
    this.products.delete(productId);
  }

  clear(): void {
    this.products.clear();
  }

  /**
   * One stock level's new state: `available` is its on_hand − reserved after the change, or null
   * when the level was deleted.
   */
  applyLevel(productId: string, variantId: string, levelId: string, available: number | null): LevelOutcome {
    const entry = this.products.get(productId);
    if (!entry) return 'miss';
    // recently used stays cached
    this.products.delete(productId);
    this.products.set(productId, entry);
    if (!entry.activeVariants.has(variantId)) return 'ignored';
    const previous = entry.levels.get(levelId);
    if (available === null) {
      if (previous === undefined) return 'unchanged';
      entry.levels.delete(levelId);
      entry.available -= previous;
      return 'changed';
    }
    if (previous === available) return 'unchanged';
    entry.levels.set(levelId, available);
    entry.available += available - (previous ?? 0);
    return 'changed';
  }

  /** The product's document as cached, or null when it is not one (draft, no active variant) or not cached. */
  document(productId: string): ProductDocument | null {
    const entry = this.products.get(productId);
    if (!entry) return null;
    return toDocument({ ...entry.row, available: String(entry.available) });
  }
}
