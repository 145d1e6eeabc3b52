import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { runMigrations } from '../migrate/migrate.ts';
import { startEmbeddedPostgres } from '../postgres/embedded-postgres.ts';
import { startRedisServer } from '../redis/redis-server.ts';
import { TEMPLATE_DATABASE } from './harness-keys.ts';

/**
 * Once per `vitest run`: one embedded Postgres with logical WAL (fsync off, it is throwaway), a
 * template database with every migration applied (test files clone it), and a Redis (REDIS_URL if
 * given, else our own redis-server on a free port). Teardown stops both and removes the data even
 * when tests failed.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const root = await mkdtemp(join(tmpdir(), 'commerce-test-'));
  const cleanups: Array<() => Promise<unknown>> = [() => rm(root, { recursive: true, force: true })];
  const teardown = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const pg = await startEmbeddedPostgres({
      dataDir: join(root, 'pg'),
      settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' },
    });
    cleanups.push(() => pg.stop());

    const admin = postgres(pg.url, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${TEMPLATE_DATABASE}`);
    await admin.end();
    const template = postgres(pg.urlFor(TEMPLATE_DATABASE), { max: 1, onnotice: () => {} });
    await runMigrations(template);
    await template.end();

    let redisUrl = process.env.REDIS_URL;
    if (!redisUrl) {
      const redis = await startRedisServer();
      cleanups.push(() => redis.stop());
      redisUrl = redis.url;
    }

    project.provide('pgAdminUrl', pg.url);
    project.provide('redisUrl', redisUrl);
    return teardown;
  } catch (error) {
    await teardown();
    throw error;
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    redisUrl: string;
  }
}
