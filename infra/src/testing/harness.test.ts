import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testKeyPrefix, testRedisUrl } from './test-database.ts';

const db = await createTestDatabase();
afterAll(() => db.drop());

describe('test harness', () => {
  it('runs Postgres with logical replication enabled', async () => {
    const [row] = await db.sql<{ wal_level: string }[]>`show wal_level`;
    expect(row?.wal_level).toBe('logical');
    const [slots] = await db.sql<{ max_replication_slots: string }[]>`show max_replication_slots`;
    expect(Number(slots?.max_replication_slots)).toBeGreaterThan(0);
  });

  it('gives each file its own migrated database', async () => {
    const [row] = await db.sql<{ current_database: string }[]>`select current_database()`;
    expect(row?.current_database).toBe(db.name);
    const [pub] = await db.sql<
      { n: number }[]
    >`select count(*)::int as n from pg_publication where pubname = 'commerce_cdc'`;
    expect(pub?.n).toBe(1);
  });

  it('has a Redis that answers', async () => {
    const redis = new Redis(testRedisUrl(), { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    try {
      expect(await redis.ping()).toBe('PONG');
      const key = `${testKeyPrefix()}probe`;
      await redis.set(key, 'v', 'EX', 10);
      expect(await redis.get(key)).toBe('v');
    } finally {
      redis.disconnect();
    }
  });
});
