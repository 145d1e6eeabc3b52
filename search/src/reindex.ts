import type { Logger } from '@commerce/common';
import type { Sql } from 'postgres';
import type { ReindexProgress, ReindexResult, SearchEngine } from './engine/engine.ts';
import { countPublished, readAllDocuments } from './indexer/product-reader.ts';

/**
 * Rebuilds an engine's index from Postgres. Typesense: a new collection, bulk import, alias swap,
 * old collection dropped: the live index shoppers query is replaced with zero downtime.
 * Embedded: builds an index in this process and reports counts; a running server's in-memory index
 * is not affected (it rebuilds itself from Postgres at every start and stays current via cdc).
 */
export async function reindexFromPostgres(
  sql: Sql,
  engine: SearchEngine,
  onProgress: (p: ReindexProgress) => void,
  logger?: Logger,
): Promise<ReindexResult & { published: number; ms: number }> {
  const started = performance.now();
  const published = await countPublished(sql);
  await engine.start();
  const result = await engine.reindex(readAllDocuments(sql, 1_000), (p) => onProgress({ ...p, total: published }));
  const ms = Math.round(performance.now() - started);
  logger?.info({ ...result, published, ms }, 'search reindex done');
  return { ...result, published, ms };
}
