/**
 * Slot and publication housekeeping over an ordinary (non-replication) connection.
 */
import type { Sql } from 'postgres';
import { CdcError } from '../errors.ts';
import { type Lsn, parseLsn } from './lsn.ts';

export interface SlotInfo {
  /** where streaming resumes: the last LSN we confirmed */
  confirmedFlushLsn: Lsn;
  created: boolean;
}

/**
 * Checks the publication, then creates the permanent pgoutput slot if it is missing. A slot of the
 * same name on another database or with another plugin is a configuration error, not something to
 * drop silently: it may be another deployment's position.
 */
export async function ensureSlot(sql: Sql, slot: string, publication: string): Promise<SlotInfo> {
  const [pub] = await sql<
    { n: number }[]
  >`select count(*)::int as n from pg_publication where pubname = ${publication}`;
  if (!pub || pub.n === 0)
    throw new CdcError(
      'config',
      'cdc.publication_missing',
      `publication ${publication} does not exist (migration 0008 creates it)`,
    );

  let created = false;
  let row = await readSlot(sql, slot);
  if (!row) {
    try {
      await sql`select pg_create_logical_replication_slot(${slot}, 'pgoutput')`;
      created = true;
    } catch (error) {
      // another cdc process created it in the same instant: use theirs
      if ((error as { code?: string }).code !== '42710') throw error;
    }
    row = await readSlot(sql, slot);
  }
  if (!row) throw new CdcError('internal', 'cdc.slot_conflict', `slot ${slot} vanished right after creation`);
  if (row.plugin !== 'pgoutput' || row.slot_type !== 'logical' || row.database !== row.current_database)
    throw new CdcError(
      'config',
      'cdc.slot_conflict',
      `slot ${slot} exists but is ${row.slot_type}/${row.plugin} on database ${row.database}; expected logical/pgoutput on ${row.current_database}`,
    );
  return { confirmedFlushLsn: row.confirmed_flush_lsn ? parseLsn(row.confirmed_flush_lsn) : 0n, created };
}

async function readSlot(sql: Sql, slot: string) {
  const [row] = await sql<
    {
      plugin: string | null;
      slot_type: string;
      database: string | null;
      current_database: string;
      confirmed_flush_lsn: string | null;
    }[]
  >`select plugin, slot_type, database, current_database() as current_database,
           confirmed_flush_lsn::text as confirmed_flush_lsn
      from pg_replication_slots where slot_name = ${slot}`;
  return row;
}

/**
 * Primary key columns of the publication's tables, by relation OID. Needed for REPLICA IDENTITY
 * FULL tables, where pgoutput flags every column as identity and the key cannot come from it.
 */
export async function loadPrimaryKeys(sql: Sql, options: { publication?: string; relationOids?: number[] }) {
  const rows = await sql<{ oid: number; columns: string[] }[]>`
    select c.oid::int as oid,
           array_agg(a.attname::text order by array_position(i.indkey::int2[], a.attnum)) as columns
      from pg_class c
      join pg_index i on i.indrelid = c.oid and i.indisprimary
      join pg_attribute a on a.attrelid = c.oid and a.attnum = any(i.indkey::int2[])
     where ${
       options.relationOids
         ? sql`c.oid = any(${options.relationOids}::oid[])`
         : sql`c.oid in (select (quote_ident(schemaname) || '.' || quote_ident(tablename))::regclass::oid
                           from pg_publication_tables where pubname = ${options.publication ?? ''})`
     }
     group by c.oid`;
  return new Map(rows.map((r) => [r.oid, r.columns]));
}

export interface SlotStatus {
  active: boolean;
  /** WAL written since the last confirmed position */
  lagBytes: number;
  /** WAL Postgres keeps on disk for this slot */
  retainedBytes: number;
  walStatus: string | null;
}

export async function readSlotStatus(sql: Sql, slot: string): Promise<SlotStatus | null> {
  const [row] = await sql<
    { active: boolean; lag: string | null; retained: string | null; wal_status: string | null }[]
  >`select active,
           pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::int8::text as lag,
           pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::int8::text as retained,
           wal_status
      from pg_replication_slots where slot_name = ${slot}`;
  if (!row) return null;
  return {
    active: row.active,
    lagBytes: Number(row.lag ?? 0),
    retainedBytes: Number(row.retained ?? 0),
    walStatus: row.wal_status,
  };
}
