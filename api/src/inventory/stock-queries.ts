import type { z } from '@hono/zod-openapi';
import { notFound } from '../errors.ts';
import type { Db } from '../http/db.ts';
import type { Scope } from '../http/scope.ts';
import type { LevelQuerySchema, Movement, MovementQuerySchema, StockLevel } from './inventory-schemas.ts';
import { locationScopeSql } from './location-service.ts';
import { LEVEL_COLUMNS, type LevelRow, MOVEMENT_COLUMNS, type MovementRow, toLevel, toMovement } from './stock-rows.ts';

type LevelQuery = z.infer<typeof LevelQuerySchema>;
type MovementQuery = z.infer<typeof MovementQuerySchema>;

export async function listLevels(
  db: Db,
  s: Scope,
  query: LevelQuery,
): Promise<{ items: StockLevel[]; next_cursor: string | null }> {
  const rows = await db<(LevelRow & { id: string })[]>`
    select il.id, v.sku, ${LEVEL_COLUMNS(db)}
    from inventory_levels il
    join product_variants v on v.merchant_id = il.merchant_id and v.id = il.variant_id
    join locations l on l.merchant_id = il.merchant_id and l.id = il.location_id
    where il.merchant_id = ${s.merchantId} ${locationScopeSql(db, s)}
      ${query.cursor ? db`and il.id > ${query.cursor}` : db``}
      ${query.variant_id ? db`and il.variant_id = ${query.variant_id}` : db``}
      ${query.location_id ? db`and il.location_id = ${query.location_id}` : db``}
      ${query.sku ? db`and v.sku = ${query.sku}` : db``}
      ${query.below_threshold === 'true' ? db`and il.available <= il.low_stock_threshold` : db``}
    order by il.id limit ${query.limit + 1}`;
  const page = rows.slice(0, query.limit);
  return {
    items: page.map(toLevel),
    next_cursor: rows.length > query.limit ? page[page.length - 1]!.id : null,
  };
}

/** Stock of one SKU: each location the token may see, and the total over them. */
export async function stockOfVariant(db: Db, s: Scope, variantId: string) {
  const [variant] = await db<{ sku: string }[]>`
    select sku from product_variants where merchant_id = ${s.merchantId} and id = ${variantId}`;
  if (!variant) throw notFound('variant', variantId);
  const rows = await db<LevelRow[]>`
    select ${LEVEL_COLUMNS(db)} from inventory_levels il
    join locations l on l.merchant_id = il.merchant_id and l.id = il.location_id
    where il.merchant_id = ${s.merchantId} and il.variant_id = ${variantId} ${locationScopeSql(db, s)}
    order by il.location_id`;
  const locations = rows.map((r) => toLevel({ ...r, sku: variant.sku }));
  const sum = (key: 'on_hand' | 'reserved' | 'available') => locations.reduce((n, l) => n + l[key], 0);
  return {
    variant_id: variantId,
    sku: variant.sku,
    total: { on_hand: sum('on_hand'), reserved: sum('reserved'), available: sum('available') },
    locations,
  };
}

/** The ledger, newest first (cursor = the last id seen). */
export async function listMovements(
  db: Db,
  s: Scope,
  query: MovementQuery,
): Promise<{ items: Movement[]; next_cursor: string | null }> {
  const rows = await db<MovementRow[]>`
    select ${MOVEMENT_COLUMNS(db)} from stock_movements m
    where merchant_id = ${s.merchantId}
      ${query.cursor ? db`and id < ${query.cursor}` : db``}
      ${query.variant_id ? db`and variant_id = ${query.variant_id}` : db``}
      ${query.location_id ? db`and location_id = ${query.location_id}` : db``}
      ${query.reason ? db`and reason = ${query.reason}` : db``}
      ${query.order_id ? db`and order_id = ${query.order_id}` : db``}
      ${query.transfer_id ? db`and transfer_id = ${query.transfer_id}::uuid` : db``}
      ${s.branchIds ? db`and exists (select 1 from locations l where l.merchant_id = m.merchant_id and l.id = m.location_id ${locationScopeSql(db, s)})` : db``}
    order by id desc limit ${query.limit + 1}`;
  const page = rows.slice(0, query.limit);
  return {
    items: page.map(toMovement),
    next_cursor: rows.length > query.limit ? page[page.length - 1]!.id : null,
  };
}
