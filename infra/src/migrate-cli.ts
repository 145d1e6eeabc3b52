import { createLogger, parseConfig } from '@commerce/common';
import postgres from 'postgres';
import { migrateConfigSchema } from './config.ts';
import { runMigrations } from './migrate/migrate.ts';

const config = parseConfig(migrateConfigSchema);
const log = createLogger('migrate', config.LOG_LEVEL);
const sql = postgres(config.DATABASE_URL, { max: 1, onnotice: () => {} });
try {
  const applied = await runMigrations(sql);
  log.info({ applied }, applied.length ? `applied ${applied.length} migration(s)` : 'database is up to date');
} catch (error) {
  log.error({ err: error }, 'migration failed');
  process.exitCode = 1;
} finally {
  await sql.end();
}
