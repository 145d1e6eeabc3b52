import type { Sql } from 'postgres';

export interface PgSnapshot {
  commits: number;
  tables: Map<string, { seqScans: number; seqRows: number; idxScans: number; idxRows: number; writes: number }>;
}

/** Counters of the database's activity (pg_stat_database, pg_stat_user_tables) at one moment. */
export async function pgSnapshot(sql: Sql): Promise<PgSnapshot> {
  const [db] = await sql<{ commits: string }[]>`
    select xact_commit::text as commits from pg_stat_database where datname = current_database()`;
  const rows = await sql<
    { name: string; seq_scan: string; seq_tup_read: string; idx_scan: string; idx_tup_fetch: string; writes: string }[]
  >`select relname as name, seq_scan::text, seq_tup_read::text, coalesce(idx_scan, 0)::text as idx_scan,
           coalesce(idx_tup_fetch, 0)::text as idx_tup_fetch, (n_tup_ins + n_tup_upd + n_tup_del)::text as writes
    from pg_stat_user_tables`;
  return {
    commits: Number(db?.commits ?? 0),
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
  // the statistics collector reports with a delay: figures are approximate
  return [`  Postgres per order: ${per(after.commits - before.commits)} commits; ${busiest.join('; ')}`];
}
