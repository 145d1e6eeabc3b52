import { createLogger, parseConfig } from '@commerce/common';
import { createSearchService, type SearchService, searchConfigSchema } from '@commerce/search';
import { createTerminalRoutes, terminalsConfigSchema } from '@commerce/terminals';
import postgres from 'postgres';
import { apiConfigSchema } from './config.ts';
import { startApiFromConfig } from './start-api.ts';

/**
 * Runs the api alone: `npm run start -w api` (config from the environment, see README). It also
 * serves the terminal pages, and the storefront search when SEARCH_ENGINE=typesense: the index
 * then lives in Typesense, fed by cdc. (The embedded engine is in-memory and fed in-process, so it
 * only runs inside `npm start`.)
 */
const config = parseConfig(apiConfigSchema);
const logger = createLogger('api', config.LOG_LEVEL);

let search: SearchService | undefined;
let searchSql: postgres.Sql | undefined;
if (process.env.SEARCH_ENGINE === 'typesense') {
  searchSql = postgres(config.DATABASE_URL, { max: 4, onnotice: () => {} });
  search = createSearchService({
    sql: searchSql,
    config: parseConfig(searchConfigSchema),
    logger: logger.child({ part: 'search' }),
  });
  await search.start();
}
const pages = createTerminalRoutes({
  config: parseConfig(terminalsConfigSchema),
  logger: logger.child({ part: 'terminals' }),
  ...(config.HUB_PUBLIC_URL && config.HUB_PUBLIC_KEY
    ? { hub: { url: config.HUB_PUBLIC_URL, publicKey: config.HUB_PUBLIC_KEY } }
    : {}),
});
const running = await startApiFromConfig(config, {
  logger,
  mount: (app) => {
    if (search) app.route('/', search.routes);
    app.route('/', pages.app);
  },
});
await pages.ready();

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  await running.stop();
  await search?.stop();
  await searchSql?.end({ timeout: 5 });
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
