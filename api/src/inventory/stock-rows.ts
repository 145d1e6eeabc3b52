import { type Db, iso } from '../http/db.ts';
import type { Movement, StockLevel } from './inventory-schemas.ts';

export interface LevelRow {
  variant_id: string;
  sku: string;
  location_id: string;
  on_hand: number;
  reserved: number;
  available: number;
  low_stock_threshold: number;
  updated_at: Date;
}

export interface MovementRow {
  id: string;
  variant_id: string;
  location_id: string;
  reason: Movement['reason'];
  quantity: number;
  on_hand_after: number;
  order_id: string | null;
  transfer_id: string | null;
  note: string | null;
  actor_id: string | null;
  created_at: Date;
}

export const LEVEL_COLUMNS = (db: Db, table = 'il') =>
  db.unsafe(
    `${table}.variant_id, ${table}.location_id, ${table}.on_hand, ${table}.reserved, ${table}.available, ` +
      `${table}.low_stock_threshold, ${table}.updated_at`,
  );

export const MOVEMENT_COLUMNS = (db: Db) =>
  db`id, variant_id, location_id, reason, quantity, on_hand_after, order_id, transfer_id, note, actor_id, created_at`;

export const toLevel = (r: LevelRow): StockLevel => ({
  variant_id: r.variant_id,
  sku: r.sku,
  location_id: r.location_id,
  on_hand: r.on_hand,
  reserved: r.reserved,
  available: r.available,
  low_stock_threshold: r.low_stock_threshold,
  updated_at: iso(r.updated_at),
});

export const toMovement = (r: MovementRow): Movement => ({
  id: r.id,
  variant_id: r.variant_id,
  location_id: r.location_id,
  reason: r.reason,
  quantity: r.quantity,
  on_hand_after: r.on_hand_after,
  order_id: r.order_id,
  transfer_id: r.transfer_id,
  note: r.note,
  actor_id: r.actor_id,
  created_at: iso(r.created_at),
});
