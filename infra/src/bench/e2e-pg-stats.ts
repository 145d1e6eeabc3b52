import type { Sql } from 'postgres';

export interface PgSnapshot {
  commits: number;
  wal: { bytes: number; syncs: number; syncMs: number };
  tables: Map<string, { seqScans: number; seqRows: number; idxScans: number; idxRows: number; writes: number }>;
}

/** Counters of the database's activity (pg_stat_database, pg_stat_user_tables) at one moment. */
export async function pgSnapshot(sql: Sql): Promise<PgSnapshot> {
  const [db] = await sql<{ commits: string }[]>`
    select xact_commit::text as commits from pg_stat_database where datname = current_database()`;
  const [wal] = await sql<{ bytes: string; syncs: string; sync_ms: number }[]>`
    select wal_bytes::text as bytes, wal_sync::text as syncs, wal_sync_time as sync_ms from pg_stat_wal`;
  const rows = await sql<
    { name: string; seq_scan: string; seq_tup_read: string; idx_scan: string; idx_tup_fetch: string; writes: string }[]
  >`select relname as name, seq_scan::text, seq_tup_read::text, coalesce(idx_scan, 0)::text as idx_scan,
           coalesce(idx_tup_fetch, 0)::text as idx_tup_fetch, (n_tup_ins + n_tup_upd + n_tup_del)::text as writes
    from pg_stat_user_tables`;
  return {
    commits: Number(db?.commits ?? 0),
    wal: { bytes: Number(wal?.bytes ?? 0), syncs: Number(wal?.syncs ?? 0), syncMs: wal?.sync_ms ?? 0 },
    tables: new Map(
      rows.map((r) => [
        r.name,
        {
          seqScans: Number(r.seq_scan),
          seqRows: Number(r.seq_tup_read),
          idxScans: Number(r.idx_scan),
          idxRows: Number(r.idx_tup_fetch),
          writes: Number(r.writes),
        },
      ]),
    ),
  };
}

/** Per-order view of what Postgres did between two snapshots: transactions, and the busiest tables. */
export function describePgActivity(before: PgSnapshot, after: PgSnapshot, orders: number): string[] {
  const per = (n: number) => (n / Math.max(1, orders)).toFixed(1);
  const tables = [...after.tables].map(([name, a]) => {
    const b = before.tables.get(name) ?? { seqScans: 0, seqRows: 0, idxScans: 0, idxRows: 0, writes: 0 };
    return {
      name,
      seqScans: a.seqScans - b.seqScans,
      seqRows: a.seqRows - b.seqRows,
      idxScans: a.idxScans - b.idxScans,
      writes: a.writes - b.writes,
    };
  });
  const busiest = tables
    .filter((t) => t.seqScans + t.idxScans + t.writes > 0)
    .sort((x, y) => y.seqRows + y.idxScans + y.writes - (x.seqRows + x.idxScans + x.writes))
    .slice(0, 6)
    .map(
      (t) =>
        `${t.name} ${per(t.idxScans)} idx scans, ${per(t.seqScans)} seq scans (${per(t.seqRows)} rows), ${per(t.writes)} row writes`,
    );
  const syncs = after.wal.syncs - before.wal.syncs;
  const syncMs = after.wal.syncMs - before.wal.syncMs;
  // the statistics collector reports with a delay: figures are approximate
  return [
    `  Postgres per order: ${per(after.commits - before.commits)} commits; ${busiest.join('; ')}`,
    `  WAL per order: ${((after.wal.bytes - before.wal.bytes) / Math.max(1, orders) / 1024).toFixed(1)} kB, ${per(syncs)} flushes to disk,` +
      ` ${syncMs > 0 ? `${(syncMs / Math.max(1, syncs)).toFixed(2)} ms per flush on average (a commit reaches logical replication only once flushed)` : 'flush time not tracked'}`,
  ];
}

/** Settings that load pg_stat_statements (top-level statements: a function call counts once). */
export const PG_STATEMENTS_SETTINGS: Record<string, string> = {
  shared_preload_libraries: 'pg_stat_statements',
  // pg_stat_wal's sync time: a commit is not sent to logical replication before its WAL is flushed
  track_wal_io_timing: 'on',
  'pg_stat_statements.track': 'top',
  'pg_stat_statements.max': '2000',
};

export interface StatementStats {
  query: string;
  calls: number;
  ms: number;
  rows: number;
  /** the longest one call (ms) */
  maxMs: number;
}

/** Creates the extension (idempotent) and clears its counters; false when it is not loaded. */
export async function resetStatements(sql: Sql): Promise<boolean> {
  try {
    await sql`create extension if not exists pg_stat_statements`;
    await sql`select pg_stat_statements_reset()`;
    return true;
  } catch {
    return false;
  }
}

/** Every statement's counters in this database, by query text. */
export async function statementSnapshot(sql: Sql): Promise<Map<string, StatementStats>> {
  const rows = await sql<{ query: string; calls: string; ms: number; rows: string; max_ms: number }[]>`
    select s.query, s.calls::text, s.total_exec_time as ms, s.rows::text, s.max_exec_time as max_ms
    from pg_stat_statements s join pg_database d on d.oid = s.dbid
    where d.datname = current_database()`;
  const out = new Map<string, StatementStats>();
  for (const r of rows) {
    const prev = out.get(r.query);
    out.set(r.query, {
      query: r.query,
      calls: Number(r.calls) + (prev?.calls ?? 0),
      ms: r.ms + (prev?.ms ?? 0),
      rows: Number(r.rows) + (prev?.rows ?? 0),
      maxMs: Math.max(r.max_ms, prev?.maxMs ?? 0),
    });
  }
  return out;
}

/** The statements that took the most execution time, per order: who asks Postgres for what. */
export function describeStatements(stats: Map<string, StatementStats>, orders: number, top = 8): string[] {
  const per = (n: number, digits = 2) => (n / Math.max(1, orders)).toFixed(digits);
  const all = [...stats.values()].filter((s) => !/pg_stat_statements/.test(s.query));
  const totalMs = all.reduce((a, s) => a + s.ms, 0);
  const totalCalls = all.reduce((a, s) => a + s.calls, 0);
  return [
    `  Postgres statements (pg_stat_statements, execution time): ${per(totalCalls)} calls and ${per(totalMs)} ms per order; the top ${top}:`,
    ...all
      .sort((a, b) => b.ms - a.ms)
      .slice(0, top)
      .map(
        (s) =>
          `    ${per(s.ms, 3)} ms/order  ${per(s.calls)} calls/order  ${(s.ms / Math.max(1, s.calls)).toFixed(3)} ms/call (max ${s.maxMs.toFixed(1)})  ${s.query.replace(/\s+/g, ' ').slice(0, 110)}`,
      ),
  ];
}
