import type { ProductDocument } from '../../document.ts';
import { storeScopeFilter, toTypesenseFilter } from '../../query/filter-typesense.ts';
import type { SearchRequest } from '../../query/search-request.ts';
import { MIN_LEN_1_TYPO, MIN_LEN_2_TYPO, QUERY_FIELDS } from '../../schema.ts';
import { escapeHtml } from '../embedded/highlight.ts';
import type { FacetResult, SearchHit, SearchResult } from '../engine.ts';

export type TypesenseSearchParams = Record<string, string | number | boolean>;

/** Our validated request → Typesense search parameters, with the store scope always in front. */
export function buildSearchParams(merchantId: string, request: SearchRequest): TypesenseSearchParams {
  const scope = storeScopeFilter(merchantId);
  const filter = request.filter ? `${scope} && ${toTypesenseFilter(request.filter)}` : scope;
  const sort =
    request.sortBy.length > 0
      ? request.sortBy.map((s) => `${s.field}:${s.order}`).join(',')
      : request.q === ''
        ? 'name:asc'
        : '_text_match:desc';
  const params: TypesenseSearchParams = {
    q: request.q === '' ? '*' : request.q,
    query_by: QUERY_FIELDS.map((f) => f.name).join(','),
    query_by_weights: QUERY_FIELDS.map((f) => f.weight).join(','),
    prefix: true,
    num_typos: 2,
    min_len_1typo: MIN_LEN_1_TYPO,
    min_len_2typo: MIN_LEN_2_TYPO,
    typo_tokens_threshold: 1,
    drop_tokens_threshold: 1,
    filter_by: filter,
    sort_by: sort,
    page: request.page,
    per_page: request.perPage,
    highlight_fields: 'name',
    highlight_full_fields: 'name',
    highlight_start_tag: '<mark>',
    highlight_end_tag: '</mark>',
  };
  if (request.facetBy.length > 0) {
    params.facet_by = request.facetBy.join(',');
    params.max_facet_values = request.maxFacetValues;
  }
  return params;
}

interface TypesenseHit {
  document: ProductDocument;
  highlight?: { name?: { value?: string; snippet?: string } };
  highlights?: Array<{ field: string; value?: string; snippet?: string }>;
  text_match?: number;
}

export interface TypesenseSearchResponse {
  found: number;
  page: number;
  search_time_ms: number;
  hits?: TypesenseHit[];
  facet_counts?: Array<{
    field_name: string;
    counts: Array<{ value: string; count: number }>;
    stats?: { min?: number; max?: number };
  }>;
  request_params?: { per_page?: number };
}

/** Typesense response → ours. Highlights are re-escaped: Typesense marks text but does not escape it. */
export function mapSearchResponse(response: TypesenseSearchResponse, request: SearchRequest): SearchResult {
  const hits: SearchHit[] = (response.hits ?? []).map((hit) => {
    const marked =
      hit.highlight?.name?.value ??
      hit.highlight?.name?.snippet ??
      hit.highlights?.find((h) => h.field === 'name')?.value ??
      hit.highlights?.find((h) => h.field === 'name')?.snippet;
    return {
      document: hit.document,
      highlight: { name: marked === undefined ? escapeHtml(hit.document.name) : sanitizeMarks(marked) },
      textMatch: hit.text_match ?? 0,
    };
  });
  const facets: FacetResult[] = (response.facet_counts ?? []).map((f) => {
    const out: FacetResult = { field: f.field_name, counts: f.counts.map((c) => ({ value: c.value, count: c.count })) };
    if (f.stats && typeof f.stats.min === 'number' && typeof f.stats.max === 'number') {
      out.stats = { min: f.stats.min, max: f.stats.max };
    }
    return out;
  });
  return {
    hits,
    found: response.found,
    facets,
    page: response.page,
    perPage: response.request_params?.per_page ?? request.perPage,
    searchTimeMs: response.search_time_ms,
  };
}

function sanitizeMarks(marked: string): string {
  return marked
    .split(/(<mark>|<\/mark>)/)
    .map((part) => (part === '<mark>' || part === '</mark>' ? part : escapeHtml(part)))
    .join('');
}
