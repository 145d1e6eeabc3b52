import type { Logger } from '@commerce/common';
import type { Hono } from 'hono';
import type { Sql } from 'postgres';
import type { SearchConfig } from './config.ts';
import { createSearchEngine } from './engine/create-engine.ts';
import type { SearchEngine } from './engine/engine.ts';
import { createSearchRoutes } from './http/search-routes.ts';
import { createSearchIndexer, type SearchIndexer } from './indexer/search-indexer.ts';

export interface SearchServiceDeps {
  sql: Sql;
  config: Pick<
    SearchConfig,
    'SEARCH_ENGINE' | 'TYPESENSE_URL' | 'TYPESENSE_API_KEY' | 'TYPESENSE_SEARCH_ONLY_KEY' | 'TYPESENSE_ALIAS'
  >;
  logger?: Logger;
}

export interface SearchService {
  engine: SearchEngine;
  /** mount with `app.route('/', search.routes)` */
  routes: Hono;
  /** hand to the cdc source as one of its sinks (name 'search') */
  indexer: SearchIndexer;
  /** typesense: ensure the alias/collection; embedded: load every published product from Postgres */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Engine + routes + indexer sharing one engine instance: what a process embedding search needs.
 * With the embedded engine the routes and the indexer MUST live in the same process (the index is
 * in memory), so `npm start` builds one SearchService and gives its routes to the api and its
 * indexer to cdc.
 */
export function createSearchService(deps: SearchServiceDeps): SearchService {
  const engine = createSearchEngine(deps.config, deps.logger);
  const logger = deps.logger;
  const indexer = createSearchIndexer({ sql: deps.sql, engine, ...(logger ? { logger } : {}) });
  const routes = createSearchRoutes({ engine, sql: deps.sql, ...(logger ? { logger } : {}) });
  return {
    engine,
    routes,
    indexer,
    async start() {
      await engine.start();
      if (engine.kind === 'embedded') {
        const started = performance.now();
        const count = await indexer.rebuild();
        logger?.info({ count, ms: Math.round(performance.now() - started) }, 'search: embedded index loaded');
      }
    },
    async stop() {
      await engine.stop();
    },
  };
}
