/**
 * cdc running alone: `tsx cdc/src/main.ts` (or `npm run start -w cdc`). Publishes domain events to
 * the bus (Redis by default, so hub processes read them) and serves /health, /ready, /metrics.
 * SIGTERM/SIGINT: report not ready, let the batch in flight finish and be confirmed, close.
 * A change that cannot be delivered (non-retriable) stops the process with exit code 1 rather
 * than skipping it; the slot keeps the change for the fixed version.
 */
import { createLogger, parseConfig } from '@commerce/common';
import { createBus } from '@commerce/hub/bus';
import { createSearchService, searchConfigSchema } from '@commerce/search';
import postgres from 'postgres';
import { cdcConfigSchema } from './config.ts';
import { createCdc } from './create-cdc.ts';
import { startMetricsServer } from './metrics-server.ts';

const config = parseConfig(cdcConfigSchema);
const logger = createLogger('cdc', config.LOG_LEVEL);
let stopping = false;

const bus = createBus(
  {
    driver: config.BUS_DRIVER,
    redisUrl: config.REDIS_URL,
    keyPrefix: config.REDIS_KEY_PREFIX,
    historyMax: config.BUS_HISTORY_MAX,
    ...(config.BUS_DEDUPE_WINDOW > 0 ? { dedupeWindow: config.BUS_DEDUPE_WINDOW } : {}),
  },
  { logger },
);
const sql = postgres(config.DATABASE_URL, { max: 4, onnotice: () => {} });
// With Typesense the index lives outside this process, so cdc feeds it here (the api only queries
// it). The embedded engine is in-memory: only a process that also serves search may feed it.
const search =
  process.env.SEARCH_ENGINE === 'typesense'
    ? createSearchService({ sql, config: parseConfig(searchConfigSchema), logger: logger.child({ part: 'search' }) })
    : null;
const cdc = createCdc({
  config,
  logger,
  bus,
  sql,
  sinks: search ? [search.indexer] : [],
  onFatal: () => void shutdown('fatal', 1),
});
const http = await startMetricsServer({
  host: config.CDC_HTTP_HOST,
  port: config.CDC_HTTP_PORT,
  registry: cdc.metrics.registry,
  ready: () => !stopping && cdc.ready,
  healthy: () => !cdc.failed,
});

async function shutdown(reason: string, code = 0) {
  if (stopping) return;
  stopping = true;
  logger.info({ reason }, 'cdc stopping');
  await cdc.stop().catch((error) => logger.error({ err: error }, 'cdc stop failed'));
  await bus.stop().catch(() => undefined);
  await search?.stop().catch(() => undefined);
  await sql.end({ timeout: 5 }).catch(() => undefined);
  await http.stop();
  process.exit(code);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

try {
  await bus.start();
  await search?.start();
  await cdc.start();
  logger.info({ http: `http://${config.CDC_HTTP_HOST}:${http.port}` }, 'cdc streaming');
} catch (error) {
  logger.error({ err: error }, 'cdc failed to start');
  await shutdown('start failed', 1);
}
