import type { ProductDocument } from '../document.ts';
import type { SearchRequest } from '../query/search-request.ts';

/**
 * The one interface both search engines implement: the embedded in-process engine (embedded/) and
 * Typesense (typesense/). Every search is scoped to one merchant and to published documents, by the
 * engine itself: callers cannot forget it.
 */
export interface SearchHit {
  document: ProductDocument;
  /** the product name with matched parts wrapped in <mark>…</mark>, HTML-escaped otherwise */
  highlight: { name: string };
  /** engine-specific relevance score (higher is better); comparable only within one response */
  textMatch: number;
}

export interface FacetCount {
  value: string;
  count: number;
}

export interface FacetResult {
  field: string;
  counts: FacetCount[];
  /** numeric facets also report min/max over the matching documents */
  stats?: { min: number; max: number };
}

export interface SearchResult {
  hits: SearchHit[];
  found: number;
  facets: FacetResult[];
  page: number;
  perPage: number;
  searchTimeMs: number;
}

export interface ReindexProgress {
  /** documents written so far */
  done: number;
  /** total expected, when known */
  total: number | null;
}

export interface ReindexResult {
  count: number;
  /** the collection (Typesense) or generation (embedded) that now serves searches */
  target: string;
}

export interface SearchEngine {
  readonly kind: 'embedded' | 'typesense';
  start(): Promise<void>;
  stop(): Promise<void>;
  /** inserts or replaces documents by id */
  upsert(docs: readonly ProductDocument[]): Promise<void>;
  /** removes documents by id; unknown ids are ignored */
  remove(ids: readonly string[]): Promise<void>;
  /** one document by id, or null (used by the indexer to skip no-op writes and by tests) */
  get(id: string): Promise<ProductDocument | null>;
  search(merchantId: string, request: SearchRequest): Promise<SearchResult>;
  /**
   * Rebuilds the whole index from a stream of document batches without a window in which searches
   * see a partial index (Typesense: new collection then alias swap; embedded: build aside, then swap).
   */
  reindex(
    batches: AsyncIterable<readonly ProductDocument[]>,
    onProgress?: (p: ReindexProgress) => void,
  ): Promise<ReindexResult>;
}
