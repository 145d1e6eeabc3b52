import { randomBytes } from 'node:crypto';
import postgres, { type Sql } from 'postgres';
import { inject } from 'vitest';
import { TEMPLATE_DATABASE } from './harness-keys.ts';

export interface TestDatabase {
  name: string;
  url: string;
  /** a pool on the test database */
  sql: Sql;
  /** drops replication slots on it, then the database itself */
  drop(): Promise<void>;
}

/** A fresh database with every migration applied, cloned from the harness's template. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = inject('pgAdminUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.unsafe(`create database ${name} template ${TEMPLATE_DATABASE}`);
        break;
      } catch (error) {
        // two files cloning the template in the same instant can collide; a retry resolves it
        if (attempt >= 10 || !String((error as Error).message).includes('being accessed')) throw error;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  } finally {
    await admin.end();
  }
  const url = withDatabase(adminUrl, name);
  const sql = postgres(url, { max: 10, onnotice: () => {} });
  return {
    name,
    url,
    sql,
    async drop() {
      await sql.end({ timeout: 5 });
      const cleanup = postgres(adminUrl, { max: 1, onnotice: () => {} });
      try {
        await cleanup`select pg_terminate_backend(active_pid) from pg_replication_slots
                      where database = ${name} and active_pid is not null`;
        await cleanup`select pg_drop_replication_slot(slot_name) from pg_replication_slots where database = ${name}`;
        await cleanup.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await cleanup.end();
      }
    },
  };
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** The Redis every test shares; isolate with `testKeyPrefix()`. */
export function testRedisUrl(): string {
  return inject('redisUrl');
}

/** A key (and Pub/Sub channel) prefix unique to the calling test file. */
export function testKeyPrefix(): string {
  return `test:${randomBytes(5).toString('hex')}:`;
}
