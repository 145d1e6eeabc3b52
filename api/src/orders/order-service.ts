import type { Sql } from 'postgres';
import { ApiError, isPostgresErrorCode, isRetriablePostgresError, notFound } from '../errors.ts';
import type { Db } from '../http/db.ts';
import type { IdempotencyRequest } from '../http/idempotency.ts';
import { allowsBranch, type Scope } from '../http/scope.ts';
import type { CreateOrderInput, Order, OrderQuery } from './order-schemas.ts';

export interface CreatedOrder {
  replayed: boolean;
  status: number;
  /** the order as JSON text, straight from Postgres */
  body: string;
  /** how the batcher ran it (sent as the response's Server-Timing) */
  timing?: OrderTiming;
}

export interface OrderTiming {
  /** ms waiting for a free call */
  waitMs: number;
  /** ms of the database call that created it */
  dbMs: number;
  /** orders in that call */
  batch: number;
  /** created alone after its batch (of `batch`) was rolled back; `dbMs` covers both calls */
  afterBatch?: boolean;
}

/** A branch- or location-scoped token may order only for what it serves (checked before any batch). */
export async function checkOrderScope(sql: Sql, s: Scope, input: CreateOrderInput): Promise<void> {
  if (!allowsBranch(s, input.branch_id)) throw notFound('branch', input.branch_id);
  if (input.location_id && s.branchIds) {
    // a branch-scoped token may take stock only from its branches' (or merchant-wide) locations
    const [location] = await sql<{ branch_id: string | null }[]>`
      select branch_id from locations where merchant_id = ${s.merchantId} and id = ${input.location_id}`;
    if (!location || (location.branch_id !== null && !allowsBranch(s, location.branch_id))) {
      throw notFound('location', input.location_id);
    }
  }
}

/**
 * One order alone, one round trip: api_create_order (infra/migrations/0011) takes the trusted
 * snapshots, writes order, lines, kitchen tickets and reservations, reserves stock with one
 * conditional UPDATE per SKU and records the Idempotency-Key with the response, all in the
 * statement's transaction. (The api normally goes through the order batcher, which uses this for
 * a batch of one and for the requests of a batch that failed as a whole.)
 */
export async function createOrder(
  sql: Sql,
  s: Scope,
  input: CreateOrderInput,
  idem: IdempotencyRequest | null,
): Promise<CreatedOrder> {
  await checkOrderScope(sql, s, input);
  return createCheckedOrder(sql, s, input, idem);
}

/** createOrder after checkOrderScope. */
export async function createCheckedOrder(
  sql: Sql,
  s: Scope,
  input: CreateOrderInput,
  idem: IdempotencyRequest | null,
): Promise<CreatedOrder> {
  for (let attempt = 1; ; attempt++) {
    try {
      const [row] = await sql<CreatedOrder[]>`
        select replayed, status, body from api_create_order(
          ${s.merchantId}, ${input.branch_id}, ${input.location_id ?? null}, ${input.channel},
          ${input.table_label}, ${input.customer_note}, ${s.staffId}, ${sql.json(input.lines)},
          ${idem?.key ?? null}, ${idem?.principal ?? null}, ${idem?.path ?? null}, ${idem?.hash ?? null})`;
      return row!;
    } catch (error) {
      if (idem && isPostgresErrorCode(error, 'CMRP0')) return replayStored(sql, idem);
      if (attempt >= 3 || !isRetriablePostgresError(error)) throw error;
    }
  }
}

/** A concurrent duplicate finished first (its key row won): answer with what it stored. */
async function replayStored(sql: Sql, idem: IdempotencyRequest): Promise<CreatedOrder> {
  const [row] = await sql<{ principal: string; path: string; request_hash: string; status: number; body: string }[]>`
    select principal, path, request_hash, response_status as status, response_body::text as body
    from idempotency_keys where merchant_id = ${idem.merchantId} and key = ${idem.key}`;
  if (!row || row.principal !== idem.principal || row.path !== idem.path || row.request_hash !== idem.hash) {
    throw new ApiError(
      'idempotency_mismatch',
      'idempotency.key_reused',
      'this Idempotency-Key was already used with a different request',
    );
  }
  return { replayed: true, status: row.status, body: row.body };
}

interface OrderJsonRow {
  branch_id: string;
  order: Order;
}

export async function getOrder(db: Db, s: Scope, id: string, lock = false): Promise<Order> {
  const [row] = await db<OrderJsonRow[]>`
    select branch_id, api_order_json(merchant_id, id) as order from orders
    where merchant_id = ${s.merchantId} and id = ${id} ${lock ? db`for update` : db``}`;
  if (!row || !allowsBranch(s, row.branch_id)) throw notFound('order', id);
  return row.order;
}

/** Newest first; cursor = the last id seen. */
export async function listOrders(
  db: Db,
  s: Scope,
  query: OrderQuery,
): Promise<{ items: Order[]; next_cursor: string | null }> {
  const rows = await db<OrderJsonRow[]>`
    select branch_id, api_order_json(merchant_id, id) as order from orders
    where merchant_id = ${s.merchantId}
      ${s.branchIds ? db`and branch_id = any(${s.branchIds}::bigint[])` : db``}
      ${query.branch_id ? db`and branch_id = ${query.branch_id}` : db``}
      ${query.status ? db`and status = ${query.status}` : db``}
      ${query.channel ? db`and channel = ${query.channel}` : db``}
      ${query.cursor ? db`and id < ${query.cursor}` : db``}
    order by id desc limit ${query.limit + 1}`;
  const page = rows.slice(0, query.limit).map((r) => r.order);
  return { items: page, next_cursor: rows.length > query.limit ? page[page.length - 1]!.id : null };
}
