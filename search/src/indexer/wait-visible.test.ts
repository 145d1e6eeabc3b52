import { createTestDatabase } from '@commerce/infra/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { waitUntilVisible } from './wait-visible.ts';

const db = await createTestDatabase();
afterAll(() => db.drop());

describe('waitUntilVisible', () => {
  it('waits while a transaction is not yet visible and returns once it is', async () => {
    const conn = await db.sql.reserve();
    try {
      await conn`begin`;
      const [row] = await conn<
        { xid: string }[]
      >`select (pg_current_xact_id()::text::bigint & 4294967295)::text as xid`;
      const xid = row!.xid;
      await expect(waitUntilVisible(db.sql, [xid], 50)).rejects.toMatchObject({
        code: 'search.engine_unavailable',
        retriable: true,
      });
      const waiting = waitUntilVisible(db.sql, [xid], 5_000);
      await new Promise((r) => setTimeout(r, 30));
      await conn`commit`;
      expect(await waiting).toBeGreaterThan(0);
      expect(await waitUntilVisible(db.sql, [xid])).toBe(0);
    } finally {
      conn.release();
    }
  });

  it('accepts 64-bit transaction ids and an empty list', async () => {
    const [row] = await db.sql<{ xid: string }[]>`select pg_current_xact_id()::text as xid`;
    expect(await waitUntilVisible(db.sql, [row!.xid])).toBe(0);
    expect(await waitUntilVisible(db.sql, [])).toBe(0);
  });
});
