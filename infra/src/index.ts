export { InfraError } from './errors.ts';
export { loadMigrations, MIGRATIONS_DIR, type Migration, runMigrations } from './migrate/migrate.ts';
export { freePort, isPortFree } from './net.ts';
export { postgresClient } from './postgres/client.ts';
export {
  type EmbeddedPostgresOptions,
  type PostgresServer,
  startEmbeddedPostgres,
} from './postgres/embedded-postgres.ts';
export { parsePgSettings } from './postgres/pg-settings.ts';
export { type RedisServer, startRedisServer } from './redis/redis-server.ts';
export {
  DEMO_RESTAURANT_SLUG,
  DEMO_RETAIL_SLUG,
  DEMO_STAFF_PIN,
  type DemoIds,
  loadDemoIds,
  type SeedOptions,
  seedDemo,
} from './seed/demo-seed.ts';
