import type { Logger } from '@commerce/common';
import { Client } from 'typesense';
import type { ProductDocument } from '../../document.ts';
import { SearchError } from '../../errors.ts';
import type { SearchRequest } from '../../query/search-request.ts';
import type { ReindexProgress, ReindexResult, SearchEngine, SearchResult } from '../engine.ts';
import { collectionSchema } from './collection-schema.ts';
import { DEFAULT_RETRY, type RetryOptions, withRetry } from './retry.ts';
import { storeSearchKey } from './scoped-key.ts';
import { buildSearchParams, mapSearchResponse, type TypesenseSearchResponse } from './search-params.ts';

export interface TypesenseEngineOptions {
  /** e.g. http://typesense:8108 (one node; put a load balancer or list nodes for HA) */
  url: string;
  apiKey: string;
  /** parent key with only `documents:search`, for per-store scoped keys handed to browsers */
  searchOnlyKey?: string | undefined;
  /** the alias searches go through; collections behind it are `<alias>_<timestamp>` */
  alias?: string;
  importBatchSize?: number;
  retry?: Partial<RetryOptions>;
  timeoutSeconds?: number;
  logger?: Logger;
  now?: () => number;
}

const DELETE_CHUNK = 200;

/**
 * Typesense behind our SearchEngine interface. Searches and writes go through an alias, so a
 * reindex builds a complete new collection and then swaps the alias in one call (no window where
 * shoppers see a half-built index), and drops the old collection afterwards. The client's own
 * retries are off (numRetries 0): we retry here, on 503 "Not Ready or Lagging", other 5xx and
 * network failures, with backoff, and never on 4xx.
 */
export class TypesenseEngine implements SearchEngine {
  readonly kind = 'typesense' as const;
  readonly alias: string;
  private readonly client: Client;
  private readonly retry: RetryOptions;
  private readonly batchSize: number;
  private readonly now: () => number;

  constructor(private readonly options: TypesenseEngineOptions) {
    this.alias = options.alias ?? 'products';
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.batchSize = options.importBatchSize ?? 1_000;
    this.now = options.now ?? Date.now;
    this.client = new Client({
      nodes: [{ url: options.url.replace(/\/$/, '') }],
      apiKey: options.apiKey,
      numRetries: 0,
      connectionTimeoutSeconds: options.timeoutSeconds ?? 5,
      timeoutSeconds: options.timeoutSeconds ?? 5,
      logLevel: 'silent',
    });
  }

  private call<T>(action: string, fn: () => Promise<T>): Promise<T> {
    return withRetry(action, fn, this.retry);
  }

  /** Makes sure the alias points at a collection, creating the first one if needed. */
  async start(): Promise<void> {
    const current = await this.currentCollection();
    if (current !== null) return;
    const name = this.newCollectionName();
    await this.call('create collection', () => this.client.collections().create(collectionSchema(name) as never));
    await this.call('create alias', () => this.client.aliases().upsert(this.alias, { collection_name: name }));
    this.options.logger?.info({ alias: this.alias, collection: name }, 'typesense collection created');
  }

  async stop(): Promise<void> {}

  async upsert(docs: readonly ProductDocument[]): Promise<void> {
    await this.importInto(this.alias, docs);
  }

  async remove(ids: readonly string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += DELETE_CHUNK) {
      const chunk = ids.slice(i, i + DELETE_CHUNK);
      const filter = `id:[${chunk.map((id) => `\`${id}\``).join(',')}]`;
      await this.call('delete documents', () =>
        this.client.collections(this.alias).documents().delete({ filter_by: filter }),
      );
    }
  }

  async get(id: string): Promise<ProductDocument | null> {
    try {
      return (await this.call('get document', () =>
        this.client.collections(this.alias).documents(id).retrieve(),
      )) as unknown as ProductDocument;
    } catch (error) {
      if (error instanceof SearchError && error.details?.status === 404) return null;
      throw error;
    }
  }

  async search(merchantId: string, request: SearchRequest): Promise<SearchResult> {
    const params = buildSearchParams(merchantId, request);
    const response = await this.call('search', () =>
      this.client
        .collections(this.alias)
        .documents()
        .search(params as never, { cacheSearchResultsForSeconds: 0 }),
    );
    return mapSearchResponse(response as unknown as TypesenseSearchResponse, request);
  }

  /** New collection ← all documents (bulk JSONL import) → alias swap → old collection dropped. */
  async reindex(
    batches: AsyncIterable<readonly ProductDocument[]>,
    onProgress?: (p: ReindexProgress) => void,
  ): Promise<ReindexResult> {
    const target = this.newCollectionName();
    await this.call('create collection', () => this.client.collections().create(collectionSchema(target) as never));
    let count = 0;
    try {
      for await (const batch of batches) {
        await this.importInto(target, batch);
        count += batch.length;
        onProgress?.({ done: count, total: null });
      }
    } catch (error) {
      // leave nothing half-built behind; the alias still serves the old collection
      await this.call('drop failed collection', () => this.client.collections(target).delete()).catch(() => undefined);
      throw error;
    }
    const previous = await this.currentCollection();
    await this.call('swap alias', () => this.client.aliases().upsert(this.alias, { collection_name: target }));
    if (previous !== null && previous !== target) {
      await this.call('drop old collection', () => this.client.collections(previous).delete());
    }
    this.options.logger?.info({ alias: this.alias, collection: target, previous, count }, 'typesense reindexed');
    return { count, target };
  }

  /** A key a browser may use to query Typesense directly, seeing only this store's published products. */
  scopedSearchKey(merchantId: string, ttlSeconds = 3_600): string {
    if (!this.options.searchOnlyKey) {
      throw new SearchError('config', 'search.bad_param', 'TYPESENSE_SEARCH_ONLY_KEY is not configured');
    }
    return storeSearchKey(this.options.searchOnlyKey, merchantId, Math.floor(this.now() / 1000) + ttlSeconds);
  }

  private async currentCollection(): Promise<string | null> {
    try {
      const alias = await this.call('get alias', () => this.client.aliases(this.alias).retrieve());
      return alias.collection_name;
    } catch (error) {
      if (error instanceof SearchError && error.details?.status === 404) return null;
      throw error;
    }
  }

  private newCollectionName(): string {
    return `${this.alias}_${this.now()}`;
  }

  private async importInto(collection: string, docs: readonly ProductDocument[]): Promise<void> {
    for (let i = 0; i < docs.length; i += this.batchSize) {
      const chunk = docs.slice(i, i + this.batchSize);
      try {
        await this.call('import', () =>
          this.client
            .collections(collection)
            .documents()
            .import(chunk as ProductDocument[], { action: 'upsert' }),
        );
      } catch (error) {
        const source = error instanceof SearchError ? error.cause : error;
        const results = (source as { importResults?: Array<{ success: boolean; error?: string; document?: string }> })
          .importResults;
        if (!results) throw error;
        const failed = results.filter((r) => !r.success);
        throw new SearchError(
          'internal',
          'search.import_failed',
          `typesense import: ${failed.length} documents rejected`,
          {
            cause: error,
            retriable: false,
            details: { failed: failed.slice(0, 5).map((f) => ({ error: f.error, document: f.document })) },
          },
        );
      }
    }
  }
}
