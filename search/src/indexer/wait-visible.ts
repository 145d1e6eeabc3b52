import type { Sql } from 'postgres';
import { SearchError } from '../errors.ts';

/**
 * Logical decoding can hand over a transaction a moment before other sessions can see it (its
 * commit record is in WAL before the committing backend leaves the proc array). Re-reading a
 * product in that window would read the old state, and the change would be lost. So before
 * re-reading, wait until every transaction of the batch is visible in a fresh snapshot.
 * txIds are 32-bit xids (pgoutput); they are widened to xid8 with the current epoch.
 */
const PENDING = `
  with s as (select pg_current_snapshot() as snap),
  x as (
    select t::bigint as xid, pg_snapshot_xmax(s.snap)::text::bigint as xmax, s.snap
    from s, unnest($1::text[]) as t
  )
  select count(*)::int as pending from x
  where not pg_visible_in_snapshot(
    (case when xid > 4294967295 then xid
          else (((xmax >> 32) - case when xid > (xmax & 4294967295) then 1 else 0 end) << 32) | xid end)::text::xid8,
    snap)`;

export async function waitUntilVisible(sql: Sql, txIds: readonly string[], timeoutMs = 5_000): Promise<number> {
  if (txIds.length === 0) return 0;
  const deadline = Date.now() + timeoutMs;
  for (let round = 0; ; round++) {
    const [row] = await sql.unsafe<{ pending: number }[]>(PENDING, [txIds as string[]]);
    if ((row?.pending ?? 0) === 0) return round;
    if (Date.now() > deadline) {
      throw new SearchError('unavailable', 'search.engine_unavailable', 'committed transactions not yet visible', {
        retriable: true,
        details: { txIds },
      });
    }
    await new Promise((r) => setTimeout(r, 1));
  }
}
