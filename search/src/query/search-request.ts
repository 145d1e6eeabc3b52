import { invalidQuery } from '../errors.ts';
import { DEFAULT_MAX_FACET_VALUES, DEFAULT_PER_PAGE, fieldSpec, MAX_PER_PAGE } from '../schema.ts';
import type { FilterNode } from './filter-ast.ts';
import { parseFilter } from './filter-parser.ts';

export interface SortSpec {
  /** a sortable field or `_text_match` */
  field: string;
  order: 'asc' | 'desc';
}

/** A shopper's query, validated once; each engine turns it into its own form. */
export interface SearchRequest {
  /** the raw text; '' or '*' means "everything" */
  q: string;
  filter: FilterNode | null;
  /** the original filter_by text (kept for logs and for Typesense debugging) */
  filterText: string;
  facetBy: string[];
  sortBy: SortSpec[];
  page: number;
  perPage: number;
  maxFacetValues: number;
}

export interface SearchParams {
  q?: string | undefined;
  filter_by?: string | undefined;
  facet_by?: string | undefined;
  sort_by?: string | undefined;
  page?: string | undefined;
  per_page?: string | undefined;
  max_facet_values?: string | undefined;
}

const MAX_Q_LENGTH = 200;
const MAX_FILTER_LENGTH = 2_000;

export function parseSearchRequest(params: SearchParams): SearchRequest {
  const q = (params.q ?? '').trim();
  if (q.length > MAX_Q_LENGTH) throw invalidQuery('search.bad_param', `q: at most ${MAX_Q_LENGTH} characters`);
  const filterText = params.filter_by ?? '';
  if (filterText.length > MAX_FILTER_LENGTH) {
    throw invalidQuery('search.bad_param', `filter_by: at most ${MAX_FILTER_LENGTH} characters`);
  }
  return {
    q: q === '*' ? '' : q,
    filter: parseFilter(filterText),
    filterText,
    facetBy: parseFacetBy(params.facet_by ?? ''),
    sortBy: parseSortBy(params.sort_by ?? ''),
    page: intParam('page', params.page, 1, 1, 10_000),
    perPage: intParam('per_page', params.per_page, DEFAULT_PER_PAGE, 1, MAX_PER_PAGE),
    maxFacetValues: intParam('max_facet_values', params.max_facet_values, DEFAULT_MAX_FACET_VALUES, 1, 100),
  };
}

function intParam(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw invalidQuery('search.bad_param', `${name}: must be an integer, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) {
    throw invalidQuery('search.bad_param', `${name}: must be between ${min} and ${max}, got ${value}`);
  }
  return value;
}

export function parseFacetBy(raw: string): string[] {
  const fields = raw
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '');
  for (const field of fields) {
    const spec = fieldSpec(field);
    if (!spec) throw invalidQuery('search.unknown_field', `facet_by: unknown field "${field}"`, { field });
    if (!spec.facet) throw invalidQuery('search.field_type', `facet_by: "${field}" is not facetable`, { field });
  }
  return [...new Set(fields)];
}

export function parseSortBy(raw: string): SortSpec[] {
  const parts = raw
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length > 3) throw invalidQuery('search.bad_param', 'sort_by: at most 3 fields');
  return parts.map((part) => {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*(?::\s*(asc|desc))?$/i.exec(part);
    if (!m) throw invalidQuery('search.bad_param', `sort_by: expected "field:asc" or "field:desc", got "${part}"`);
    const field = m[1]!;
    const order = (m[2]?.toLowerCase() ?? 'desc') as 'asc' | 'desc';
    if (field !== '_text_match') {
      const spec = fieldSpec(field);
      if (!spec) throw invalidQuery('search.unknown_field', `sort_by: unknown field "${field}"`, { field });
      if (!spec.sort) throw invalidQuery('search.field_type', `sort_by: "${field}" is not sortable`, { field });
    }
    return { field, order };
  });
}
