/**
 * Display names for stock events (SKU, product and variant name, location name). The staff
 * stock-alert feed shows "SKU-123 Oat milk at Downtown Kitchen is out"; without names here every
 * terminal would call the api for each event. Kept small and fresh: names are read once per id
 * (one query per batch for everything missing) and then updated from the change stream itself
 * (product_variants, products and locations changes pass through cdc before any stock change that
 * follows them), so no cache TTL is needed. A name read on a miss is the current one, which can be
 * newer than the stock change being routed; for display that is the right answer anyway.
 */
import type { ChangeEvent } from '@commerce/common';
import type { Sql } from 'postgres';
import { asRetriable } from '../errors.ts';
import type { Enrichment, VariantInfo } from './route.ts';

interface VariantRow {
  sku: string;
  variantName: string | null;
  productId: string;
}

export class EnrichmentCache implements Enrichment {
  private readonly variants = new Map<string, VariantRow>();
  private readonly productNames = new Map<string, string>();
  private readonly locations = new Map<string, string>();

  constructor(
    private readonly sql: Sql,
    private readonly maxEntries = 200_000,
  ) {}

  variant(variantId: string): VariantInfo | undefined {
    const v = this.variants.get(variantId);
    if (!v) return undefined;
    return { sku: v.sku, variantName: v.variantName, productName: this.productNames.get(v.productId) ?? null };
  }

  location(locationId: string): string | undefined {
    return this.locations.get(locationId);
  }

  /** Applies catalog/location changes of the batch, then loads whatever its stock changes still miss. */
  async prepare(changes: readonly ChangeEvent[]): Promise<void> {
    const missingVariants = new Set<string>();
    const missingLocations = new Set<string>();
    for (const c of changes) {
      const table = c.table.startsWith('public.') ? c.table.slice(7) : c.table;
      const row = c.after;
      if (table === 'inventory_levels') {
        const r = row ?? c.before;
        if (!r) continue;
        const variantId = String(r.variant_id);
        const locationId = String(r.location_id);
        if (!this.variants.has(variantId)) missingVariants.add(variantId);
        if (!this.locations.has(locationId)) missingLocations.add(locationId);
      } else if (table === 'product_variants' && row && typeof row.sku === 'string') {
        this.variants.set(String(row.id), {
          sku: row.sku,
          variantName: typeof row.name === 'string' ? row.name : null,
          productId: String(row.product_id),
        });
      } else if (table === 'products' && row && typeof row.name === 'string') {
        this.productNames.set(String(row.id), row.name);
      } else if (table === 'locations' && row && typeof row.name === 'string') {
        this.locations.set(String(row.id), row.name);
      }
    }
    if (missingVariants.size === 0 && missingLocations.size === 0) return;
    this.bound();
    try {
      if (missingVariants.size > 0) {
        const rows = await this.sql<
          { id: string; sku: string; name: string; product_id: string; product_name: string }[]
        >`
          select v.id::text as id, v.sku, v.name, v.product_id::text as product_id, p.name as product_name
            from product_variants v join products p on p.id = v.product_id
           where v.id = any(${[...missingVariants]}::bigint[])`;
        for (const r of rows) {
          this.variants.set(r.id, { sku: r.sku, variantName: r.name, productId: r.product_id });
          this.productNames.set(r.product_id, r.product_name);
        }
      }
      if (missingLocations.size > 0) {
        const rows = await this.sql<{ id: string; name: string }[]>`
          select id::text as id, name from locations where id = any(${[...missingLocations]}::bigint[])`;
        for (const r of rows) this.locations.set(r.id, r.name);
      }
    } catch (error) {
      throw asRetriable(error, 'cdc.lookup_failed', 'stock enrichment lookup failed');
    }
  }

  /** A crude bound: start over rather than grow without limit (names are cheap to read again). */
  private bound() {
    if (this.variants.size > this.maxEntries) this.variants.clear();
    if (this.productNames.size > this.maxEntries) this.productNames.clear();
    if (this.locations.size > this.maxEntries) this.locations.clear();
  }
}
