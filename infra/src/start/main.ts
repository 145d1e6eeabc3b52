import { resolve } from 'node:path';
import { createLogger, parseConfig } from '@commerce/common';
import postgres from 'postgres';
import { runMigrations } from '../migrate/migrate.ts';
import { freePort, isPortFree } from '../net.ts';
import { startEmbeddedPostgres } from '../postgres/embedded-postgres.ts';
import { startRedisServer } from '../redis/redis-server.ts';
import { seedDemo } from '../seed/demo-seed.ts';
import { printBanner } from './banner.ts';
import { startConfigSchema } from './config.ts';
import { ensureKeyPair } from './keys.ts';
import { progressReporter } from './progress.ts';
import { startSystem } from './system.ts';

/**
 * `npm start [-- --fresh] [-- --with-redis]`: Postgres started by the project (data kept in
 * DATA_DIR between runs), migrations, demo data, then every part in this one process.
 * Ctrl-C / SIGTERM stops the parts in order, then Postgres.
 */
const args = new Set(process.argv.slice(2));
const unknown = [...args].filter((a) => !['--fresh', '--with-redis'].includes(a));
if (unknown.length) {
  console.error(`unknown option ${unknown.join(' ')}; use --fresh (wipe data) or --with-redis (Redis bus)`);
  process.exit(2);
}
const config = parseConfig(startConfigSchema);
if (args.has('--with-redis')) config.BUS_DRIVER = 'redis';
const log = createLogger('start', config.LOG_LEVEL);
const stops: Array<[string, () => Promise<unknown>]> = [];
let stopping = false;

async function shutdown(signal: string, code = 0) {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping...`);
  for (const [name, stop] of stops.reverse()) {
    await stop().catch((error) => log.error({ err: error, part: name }, 'stop failed'));
  }
  process.exit(code);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

try {
  const dataDir = resolve(config.DATA_DIR);
  if (args.has('--fresh')) console.log(`--fresh: wiping ${dataDir}`);
  const pgPort = (await isPortFree(config.PG_PORT)) ? config.PG_PORT : await freePort();
  console.log(`starting Postgres (logical WAL) in ${dataDir}/postgres on port ${pgPort}...`);
  const pg = await startEmbeddedPostgres({ dataDir: `${dataDir}/postgres`, port: pgPort, fresh: args.has('--fresh') });
  stops.push(['postgres', () => pg.stop()]);

  const admin = postgres(pg.url, { max: 1, onnotice: () => {} });
  const [exists] = await admin`select 1 as one from pg_database where datname = 'commerce'`;
  if (!exists) await admin.unsafe('create database commerce');
  await admin.end();
  const databaseUrl = pg.urlFor('commerce');
  // migrate on its own connection: a pool opened before the enum types exist would not know them
  const migrator = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  const applied = await runMigrations(migrator).finally(() => migrator.end());
  const sql = postgres(databaseUrl, { max: 20, onnotice: () => {} });
  stops.push(['sql', () => sql.end({ timeout: 5 })]);
  console.log(applied.length ? `applied ${applied.length} migration(s)` : 'schema is up to date');
  const bar = progressReporter('demo data');
  const demo = await seedDemo(sql, {
    retailProducts: config.SEED_RETAIL_PRODUCTS,
    onProgress: (done, total, stage) => bar.update(done, total, stage),
  });
  bar.stop();

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
  const system = await startSystem({ config, databaseUrl, sql, demo, keys, redisUrl, logger: log });
  stops.push(['system', () => system.stop()]);
  printBanner({ config, databaseUrl, urls: system.urls, tokens: system.demoTokens, redisUrl });
} catch (error) {
  log.error({ err: error }, 'start failed');
  console.error(`start failed: ${error instanceof Error ? error.message : String(error)}`);
  await shutdown('error', 1);
}
