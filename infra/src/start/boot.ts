import { resolve } from 'node:path';
import type { Logger } from '@commerce/common';
import postgres, { type Sql } from 'postgres';
import { runMigrations } from '../migrate/migrate.ts';
import { freePort, isPortFree } from '../net.ts';
import { postgresClient } from '../postgres/client.ts';
import { startEmbeddedPostgres } from '../postgres/embedded-postgres.ts';
import { startRedisServer } from '../redis/redis-server.ts';
import { type DemoIds, seedDemo } from '../seed/demo-seed.ts';
import type { StartConfig } from './config.ts';
import { ensureKeyPair, type KeyPair } from './keys.ts';
import { type RunningSystem, startSystem } from './system.ts';

export interface BootOptions {
  config: StartConfig;
  logger: Logger;
  fresh?: boolean;
  /** progress of the demo data load */
  onSeedProgress?: (done: number, total: number, stage: string) => void;
  /** one-line status messages for a human */
  say?: (line: string) => void;
  /** extra Postgres server settings (the e2e bench loads pg_stat_statements) */
  pgSettings?: Record<string, string>;
  /** a part died after it started (the api thread): the caller decides, e.g. stop everything */
  onFatal?: (error: Error) => void;
}

export interface BootedSystem extends RunningSystem {
  databaseUrl: string;
  redisUrl: string | undefined;
  sql: Sql;
  demo: DemoIds;
  keys: { auth: KeyPair; hub: KeyPair };
}

/**
 * The embedded system from nothing: Postgres (data kept in DATA_DIR), migrations, demo data, keys,
 * an optional private Redis, then every part. Used by `npm start`, the rush simulator and the
 * end-to-end benchmark; stop() undoes it all in reverse order, Postgres last.
 */
export async function bootEmbeddedSystem(options: BootOptions): Promise<BootedSystem> {
  const { config, logger } = options;
  const say = options.say ?? (() => {});
  const stops: Array<[string, () => Promise<unknown>]> = [];
  const stop = async () => {
    for (const [name, fn] of stops.reverse()) {
      await fn().catch((error) => logger.error({ err: error, part: name }, 'stop failed'));
    }
  };
  try {
    const dataDir = resolve(config.DATA_DIR);
    if (options.fresh) say(`--fresh: wiping ${dataDir}`);
    const pgPort = config.PG_PORT !== 0 && (await isPortFree(config.PG_PORT)) ? config.PG_PORT : await freePort();
    say(`starting Postgres (logical WAL) in ${dataDir}/postgres on port ${pgPort}...`);
    const pg = await startEmbeddedPostgres({
      dataDir: `${dataDir}/postgres`,
      port: pgPort,
      fresh: options.fresh ?? false,
      ...(options.pgSettings ? { settings: options.pgSettings } : {}),
    });
    stops.push(['postgres', () => pg.stop()]);

    const admin = postgres(pg.url, { max: 1, onnotice: () => {} });
    const [exists] = await admin`select 1 as one from pg_database where datname = 'commerce'`;
    if (!exists) await admin.unsafe('create database commerce');
    await admin.end();
    // printed for people and their tools (TCP); the parts here use the Unix socket when there is one
    const databaseUrl = pg.urlFor('commerce');
    const localUrl = pg.localUrlFor('commerce');
    // migrate on its own connection: a pool opened before the enum types exist would not know them
    const migrator = postgresClient(localUrl, { max: 1, onnotice: () => {} });
    const applied = await runMigrations(migrator).finally(() => migrator.end());
    say(applied.length ? `applied ${applied.length} migration(s)` : 'schema is up to date');
    const sql = postgresClient(localUrl, { max: 20, onnotice: () => {} });
    stops.push(['sql', () => sql.end({ timeout: 5 })]);

    const demo = await seedDemo(sql, {
      retailProducts: config.SEED_RETAIL_PRODUCTS,
      ...(options.onSeedProgress ? { onProgress: options.onSeedProgress } : {}),
    });

    let redisUrl = config.REDIS_URL;
    if (config.BUS_DRIVER === 'redis' && !redisUrl) {
      const redis = await startRedisServer();
      stops.push(['redis', () => redis.stop()]);
      redisUrl = redis.url;
    }

    const keys = {
      auth: await ensureKeyPair(`${dataDir}/keys`, 'auth-jwt'),
      hub: await ensureKeyPair(`${dataDir}/keys`, 'hub-signing'),
    };
    const system = await startSystem({
      config,
      databaseUrl: localUrl,
      sql,
      demo,
      keys,
      redisUrl,
      logger,
      ...(options.onFatal ? { onFatal: options.onFatal } : {}),
    });
    stops.push(['system', () => system.stop()]);
    return { ...system, databaseUrl, redisUrl, sql, demo, keys, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
