import type { ChangeBatch, ChangeEvent, Row } from '@commerce/common';
import type { Sql, TransactionSql } from 'postgres';

type SqlLike = Sql | TransactionSql;

/**
 * Until the pgoutput source can be used from search's tests, this builds the normalized change
 * events a real commit produces: the statement runs for real (RETURNING the old and new rows) and
 * the rows are shaped as the cdc contract says (bigints as decimal strings, the generated
 * `available` column absent, before-image only where the table's replica identity gives one).
 */
const BIGINT_COLUMNS = new Set(['id', 'merchant_id', 'product_id', 'variant_id', 'location_id', 'price_amount']);
const FULL_IDENTITY = new Set(['products', 'inventory_levels']);

let sequence = 0;

function nextPosition(): string {
  sequence++;
  return String(sequence).padStart(16, '0');
}

function normalizeRow(raw: Record<string, unknown> | null): Row | null {
  if (!raw) return null;
  const out: Row = {};
  for (const [k, v] of Object.entries(raw)) {
    if (k === 'available') continue;
    out[k] = BIGINT_COLUMNS.has(k) && v !== null ? String(v) : (v as Row[string]);
  }
  return out;
}

function event(table: string, op: 'c' | 'u' | 'd', before: Row | null, after: Row | null): ChangeEvent {
  const keyRow = after ?? before;
  return {
    source: 'pg',
    table: `public.${table}`,
    op,
    key: keyRow ? { id: keyRow.id ?? null } : null,
    before: FULL_IDENTITY.has(table) ? before : before && { id: before.id ?? null },
    after,
    unchanged: [],
    txId: null,
    commitTs: Date.now(),
    position: nextPosition(),
  };
}

/** UPDATE <table> SET <set> WHERE <where> — one event per updated row. */
export async function captureUpdate(
  sql: SqlLike,
  table: string,
  set: string,
  where: string,
  params: unknown[] = [],
): Promise<ChangeEvent[]> {
  const rows = await sql.unsafe<{ before: Record<string, unknown>; after: Record<string, unknown> }[]>(
    `with old as (select * from ${table} where ${where} for update)
     update ${table} t set ${set} from old where t.id = old.id
     returning row_to_json(old) as before, row_to_json(t) as after`,
    params as never[],
  );
  return rows.map((r) => event(table, 'u', normalizeRow(r.before), normalizeRow(r.after)));
}

export async function captureInsert(
  sql: SqlLike,
  table: string,
  values: Record<string, unknown>,
): Promise<ChangeEvent> {
  const columns = Object.keys(values);
  const rows = await sql.unsafe<{ after: Record<string, unknown> }[]>(
    `insert into ${table} as t (${columns.join(', ')}) values (${columns.map((_, i) => `$${i + 1}`).join(', ')})
     returning row_to_json(t) as after`,
    Object.values(values) as never[],
  );
  return event(table, 'c', null, normalizeRow(rows[0]!.after));
}

export async function captureDelete(
  sql: SqlLike,
  table: string,
  where: string,
  params: unknown[] = [],
): Promise<ChangeEvent[]> {
  const rows = await sql.unsafe<{ before: Record<string, unknown> }[]>(
    `delete from ${table} t where ${where} returning row_to_json(t) as before`,
    params as never[],
  );
  return rows.map((r) => event(table, 'd', normalizeRow(r.before), null));
}

export function batchOf(events: ChangeEvent[]): ChangeBatch {
  return { events, position: events[events.length - 1]!.position };
}
