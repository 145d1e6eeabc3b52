import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Sql } from 'postgres';
import { InfraError } from '../errors.ts';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));

export interface Migration {
  version: string;
  name: string;
  sql: string;
  checksum: string;
}

const FILE_PATTERN = /^(\d{4})_([a-z0-9_]+)\.sql$/;
/** Serializes concurrent runners (two processes starting at once) on one database. */
const LOCK_KEY = 727_001;

export async function loadMigrations(dir: string = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    const match = FILE_PATTERN.exec(file);
    if (!match)
      throw new InfraError('config', 'migrate.bad_name', `migration file ${file} must be named NNNN_name.sql`);
    const sql = await readFile(join(dir, file), 'utf8');
    migrations.push({
      version: match[1]!,
      name: match[2]!,
      sql,
      checksum: createHash('sha256').update(sql).digest('hex'),
    });
  }
  const versions = new Set(migrations.map((m) => m.version));
  if (versions.size !== migrations.length)
    throw new InfraError('config', 'migrate.duplicate', 'duplicate migration version');
  return migrations;
}

/**
 * Applies every migration not yet recorded in schema_migrations, each in its own transaction, in
 * version order. A recorded migration whose file changed is an error: landed migrations are never
 * edited, a new file is added instead.
 */
export async function runMigrations(sql: Sql, dir: string = MIGRATIONS_DIR): Promise<string[]> {
  const migrations = await loadMigrations(dir);
  const applied: string[] = [];
  await sql.reserve().then(async (conn) => {
    try {
      await conn`select pg_advisory_lock(${LOCK_KEY})`;
      await conn`create table if not exists schema_migrations (
        version    text primary key,
        name       text not null,
        checksum   text not null,
        applied_at timestamptz not null default now()
      )`;
      const rows = await conn<{ version: string; checksum: string }[]>`select version, checksum from schema_migrations`;
      const done = new Map(rows.map((r) => [r.version, r.checksum]));
      for (const migration of migrations) {
        const recorded = done.get(migration.version);
        if (recorded !== undefined) {
          if (recorded !== migration.checksum) {
            throw new InfraError(
              'config',
              'migrate.edited',
              `migration ${migration.version}_${migration.name} changed after it was applied; add a new migration instead`,
            );
          }
          continue;
        }
        await conn.unsafe('begin');
        try {
          await conn.unsafe(migration.sql);
          await conn`insert into schema_migrations (version, name, checksum)
                     values (${migration.version}, ${migration.name}, ${migration.checksum})`;
          await conn.unsafe('commit');
        } catch (cause) {
          await conn.unsafe('rollback');
          throw new InfraError(
            'internal',
            'migrate.failed',
            `migration ${migration.version}_${migration.name} failed`,
            {
              cause,
            },
          );
        }
        applied.push(`${migration.version}_${migration.name}`);
      }
    } finally {
      await conn`select pg_advisory_unlock(${LOCK_KEY})`.catch(() => undefined);
      conn.release();
    }
  });
  return applied;
}
