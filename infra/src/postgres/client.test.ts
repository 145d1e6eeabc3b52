import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresClient } from './client.ts';
import { type PostgresServer, socketDirFor, startEmbeddedPostgres } from './embedded-postgres.ts';

// The parts of `npm start` reach the embedded Postgres over its Unix socket (less CPU per query
// than loopback TCP on both ends); people and their tools get the TCP URL.
let root: string;
let pg: PostgresServer;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'pg-client-'));
  pg = await startEmbeddedPostgres({ dataDir: join(root, 'pg'), settings: { fsync: 'off' } });
}, 120_000);
afterAll(async () => {
  await pg?.stop();
  await rm(root, { recursive: true, force: true });
});

const overSocket = async (url: string) => {
  const sql = postgresClient(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<
      { unix: boolean }[]
    >`select client_addr is null as unix from pg_stat_activity where pid = pg_backend_pid()`;
    return row!.unix;
  } finally {
    await sql.end();
  }
};

describe('embedded Postgres URLs', () => {
  it('the local URL goes over the Unix socket in the cluster folder, the printed one over TCP', async () => {
    expect(pg.socketDir).toBe(join(root, 'pg'));
    const local = pg.localUrlFor('postgres');
    expect(new URL(local).hostname).toBe(encodeURIComponent(join(root, 'pg')));
    expect(await overSocket(local)).toBe(true);
    expect(new URL(pg.url).hostname).toBe('127.0.0.1');
    expect(await overSocket(pg.url)).toBe(false);
  });

  it('runs with the settings the parts rely on: logical WAL, and new WAL segments not zero-filled under the write lock', async () => {
    const sql = postgresClient(pg.localUrlFor('postgres'), { max: 1, onnotice: () => {} });
    try {
      const rows = await sql<{ name: string; setting: string }[]>`
        select name, setting from pg_settings where name in ('wal_level', 'wal_init_zero') order by name`;
      expect(rows).toEqual([
        { name: 'wal_init_zero', setting: 'off' },
        { name: 'wal_level', setting: 'logical' },
      ]);
    } finally {
      await sql.end();
    }
  });

  it('a cluster folder too deep for a socket path goes without one (TCP only)', () => {
    expect(socketDirFor('/tmp/short', 5432)).toBe('/tmp/short');
    expect(socketDirFor(`/tmp/${'d'.repeat(90)}`, 5432)).toBeNull();
  });
});
