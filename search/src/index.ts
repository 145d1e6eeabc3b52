export { type SearchConfig, searchConfigSchema } from './config.ts';
export type { ProductDocument } from './document.ts';
export { createSearchEngine } from './engine/create-engine.ts';
export { EmbeddedEngine } from './engine/embedded/embedded-engine.ts';
export type { FacetResult, SearchEngine, SearchHit, SearchResult } from './engine/engine.ts';
export { storeSearchKey } from './engine/typesense/scoped-key.ts';
export { TypesenseEngine } from './engine/typesense/typesense-engine.ts';
export { SearchError } from './errors.ts';
export { createSearchRoutes, type SearchRoutesDeps } from './http/search-routes.ts';
export {
  createSearchIndexer,
  type SearchIndexer,
  type SearchIndexerDeps,
  type SearchIndexerStats,
} from './indexer/search-indexer.ts';
export { parseSearchRequest, type SearchRequest } from './query/search-request.ts';
export { createSearchService, type SearchService, type SearchServiceDeps } from './search-service.ts';
