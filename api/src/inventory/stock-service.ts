import type { z } from '@hono/zod-openapi';
import { conflict, notFound } from '../errors.ts';
import type { Db } from '../http/db.ts';
import type { Scope } from '../http/scope.ts';
import type {
  AdjustSchema,
  CountSchema,
  Movement,
  ReceiveSchema,
  StockChange,
  StockLevel,
  ThresholdSchema,
  TransferSchema,
} from './inventory-schemas.ts';
import { locationScopeSql, stockTarget } from './location-service.ts';
import { LEVEL_COLUMNS, type LevelRow, MOVEMENT_COLUMNS, type MovementRow, toLevel, toMovement } from './stock-rows.ts';

interface OnHandChange {
  variantId: string;
  locationId: string;
  delta: number;
  reason: Movement['reason'];
  note: string | null;
  transferId?: string | null;
}

/**
 * on_hand += delta and its ledger row, in one statement. The check constraints refuse a level below
 * zero or below what is reserved (→ 409), so no read-then-write is needed.
 */
async function changeOnHand(db: Db, s: Scope, change: OnHandChange, sku: string): Promise<StockChange> {
  // an upsert's insert tuple must itself pass the checks, so lowering stock is a plain UPDATE
  const level =
    change.delta >= 0
      ? db`insert into inventory_levels (merchant_id, variant_id, location_id, on_hand)
           values (${s.merchantId}, ${change.variantId}, ${change.locationId}, ${change.delta})
           on conflict (variant_id, location_id) do update set on_hand = inventory_levels.on_hand + excluded.on_hand
           returning *`
      : db`update inventory_levels set on_hand = on_hand + ${change.delta}
           where merchant_id = ${s.merchantId} and variant_id = ${change.variantId} and location_id = ${change.locationId}
           returning *`;
  const [row] = await db<(LevelRow & { movement: MovementRow })[]>`
    with il as (${level}), mv as (
      insert into stock_movements (merchant_id, variant_id, location_id, reason, quantity, on_hand_after, transfer_id, note, actor_id)
      select merchant_id, variant_id, location_id, ${change.reason}, ${change.delta}, on_hand,
             ${change.transferId ?? null}::uuid, ${change.note}, ${s.staffId}
      from il
      returning ${MOVEMENT_COLUMNS(db)}
    )
    select ${LEVEL_COLUMNS(db)}, (select row_to_json(mv) from mv) as movement from il`;
  if (!row) throw conflict('stock.below_zero', 'stock on hand cannot drop below zero');
  return { level: toLevel({ ...row, sku }), movement: toMovement(fromJson(row.movement)) };
}

/** row_to_json gives bigints as numbers and timestamps as text: back to the row shape. */
function fromJson(m: MovementRow): MovementRow {
  const id = (v: unknown) => (v === null || v === undefined ? null : String(v));
  return {
    ...m,
    id: String(m.id),
    variant_id: String(m.variant_id),
    location_id: String(m.location_id),
    order_id: id(m.order_id),
    actor_id: id(m.actor_id),
    created_at: new Date(m.created_at),
  };
}

export async function receiveStock(db: Db, s: Scope, input: z.infer<typeof ReceiveSchema>): Promise<StockChange> {
  const { sku } = await stockTarget(db, s, input.variant_id, input.location_id);
  const change = { variantId: input.variant_id, locationId: input.location_id, delta: input.quantity };
  return changeOnHand(db, s, { ...change, reason: 'receipt', note: input.note }, sku);
}

export async function adjustStock(db: Db, s: Scope, input: z.infer<typeof AdjustSchema>): Promise<StockChange> {
  const { sku } = await stockTarget(db, s, input.variant_id, input.location_id);
  const change = { variantId: input.variant_id, locationId: input.location_id, delta: input.delta };
  return changeOnHand(db, s, { ...change, reason: input.reason, note: input.note }, sku);
}

/**
 * Moves available stock: the source is lowered by one conditional UPDATE (available ≥ quantity),
 * the destination raised, two ledger rows share one transfer_id.
 */
export async function transferStock(db: Db, s: Scope, input: z.infer<typeof TransferSchema>) {
  const { sku } = await stockTarget(db, s, input.variant_id, input.from_location_id);
  await stockTarget(db, s, input.variant_id, input.to_location_id);
  const [source] = await db<{ available: number }[]>`
    select available from inventory_levels
    where merchant_id = ${s.merchantId} and variant_id = ${input.variant_id} and location_id = ${input.from_location_id}`;
  const [moved] = await db<{ transfer_id: string }[]>`
    update inventory_levels set on_hand = on_hand - ${input.quantity}
    where merchant_id = ${s.merchantId} and variant_id = ${input.variant_id} and location_id = ${input.from_location_id}
      and on_hand - reserved >= ${input.quantity}
    returning gen_random_uuid()::text as transfer_id`;
  if (!moved) {
    throw conflict(
      'stock.insufficient',
      `insufficient available stock of ${sku} at location ${input.from_location_id}`,
      {
        sku,
        requested: input.quantity,
        available: source?.available ?? 0,
      },
    );
  }
  const [out] = await db<(LevelRow & { movement_id: string })[]>`
    with mv as (
      insert into stock_movements (merchant_id, variant_id, location_id, reason, quantity, on_hand_after, transfer_id, note, actor_id)
      select merchant_id, variant_id, location_id, 'transfer_out', ${-input.quantity}, on_hand, ${moved.transfer_id}::uuid,
             ${input.note}, ${s.staffId}
      from inventory_levels
      where merchant_id = ${s.merchantId} and variant_id = ${input.variant_id} and location_id = ${input.from_location_id}
      returning id
    )
    select ${LEVEL_COLUMNS(db)} from inventory_levels il
    where merchant_id = ${s.merchantId} and variant_id = ${input.variant_id} and location_id = ${input.from_location_id}`;
  const incoming = await changeOnHand(
    db,
    s,
    {
      variantId: input.variant_id,
      locationId: input.to_location_id,
      delta: input.quantity,
      reason: 'transfer_in',
      note: input.note,
      transferId: moved.transfer_id,
    },
    sku,
  );
  const movements = await db<MovementRow[]>`
    select ${MOVEMENT_COLUMNS(db)} from stock_movements
    where merchant_id = ${s.merchantId} and transfer_id = ${moved.transfer_id}::uuid order by id`;
  return {
    transfer_id: moved.transfer_id,
    from: toLevel({ ...out!, sku }),
    to: incoming.level,
    movements: movements.map(toMovement),
  };
}

/** A physical count sets on_hand; the ledger row carries the difference found. */
export async function countStock(db: Db, s: Scope, input: z.infer<typeof CountSchema>): Promise<StockChange> {
  const { sku } = await stockTarget(db, s, input.variant_id, input.location_id);
  const [current] = await db<{ on_hand: number }[]>`
    select on_hand from inventory_levels
    where merchant_id = ${s.merchantId} and variant_id = ${input.variant_id} and location_id = ${input.location_id}
    for no key update`;
  const delta = input.counted - (current?.on_hand ?? 0);
  const change = { variantId: input.variant_id, locationId: input.location_id, delta };
  return changeOnHand(db, s, { ...change, reason: 'count', note: input.note }, sku);
}

/** Low-stock threshold of a SKU at one location (creating the level if needed) or at all of them. */
export async function setThreshold(db: Db, s: Scope, input: z.infer<typeof ThresholdSchema>): Promise<StockLevel[]> {
  if (input.location_id) {
    const { sku } = await stockTarget(db, s, input.variant_id, input.location_id);
    const rows = await db<LevelRow[]>`
      insert into inventory_levels as il (merchant_id, variant_id, location_id, low_stock_threshold)
      values (${s.merchantId}, ${input.variant_id}, ${input.location_id}, ${input.threshold})
      on conflict (variant_id, location_id) do update set low_stock_threshold = excluded.low_stock_threshold
      returning ${LEVEL_COLUMNS(db)}`;
    return rows.map((r) => toLevel({ ...r, sku }));
  }
  const [variant] = await db<{ sku: string }[]>`
    select sku from product_variants where merchant_id = ${s.merchantId} and id = ${input.variant_id}`;
  if (!variant) throw notFound('variant', input.variant_id);
  const rows = await db<LevelRow[]>`
    update inventory_levels il set low_stock_threshold = ${input.threshold}
    from locations l
    where il.merchant_id = ${s.merchantId} and il.variant_id = ${input.variant_id}
      and l.merchant_id = il.merchant_id and l.id = il.location_id ${locationScopeSql(db, s)}
    returning ${LEVEL_COLUMNS(db)}`;
  return rows.map((r) => toLevel({ ...r, sku: variant.sku }));
}
