/**
 * The one description of the search document's fields: which can be filtered, faceted, sorted and
 * searched, with what type. The filter parser validates against it, the Typesense collection schema
 * is generated from it, the embedded engine indexes by it.
 */
export type FieldType = 'string' | 'string[]' | 'int64' | 'bool';

export interface FieldSpec {
  type: FieldType;
  facet: boolean;
  sort: boolean;
  /** may appear in filter_by */
  filter: boolean;
  optional?: boolean;
}

export const FIELDS = {
  id: { type: 'string', facet: false, sort: false, filter: true },
  merchant_id: { type: 'string', facet: false, sort: false, filter: true },
  name: { type: 'string', facet: false, sort: true, filter: true },
  description: { type: 'string', facet: false, sort: false, filter: false },
  brand: { type: 'string', facet: true, sort: false, filter: true, optional: true },
  category: { type: 'string', facet: true, sort: false, filter: true, optional: true },
  tags: { type: 'string[]', facet: true, sort: false, filter: true },
  price: { type: 'int64', facet: true, sort: true, filter: true },
  min_price: { type: 'int64', facet: false, sort: true, filter: true },
  max_price: { type: 'int64', facet: false, sort: true, filter: true },
  currency: { type: 'string', facet: true, sort: false, filter: true },
  in_stock: { type: 'bool', facet: true, sort: false, filter: true },
  available: { type: 'int64', facet: false, sort: true, filter: true },
  published: { type: 'bool', facet: false, sort: false, filter: true },
  variant_count: { type: 'int64', facet: false, sort: true, filter: true },
  updated_at: { type: 'int64', facet: false, sort: true, filter: true },
} as const satisfies Record<string, FieldSpec>;

export type FieldName = keyof typeof FIELDS;

export function fieldSpec(name: string): FieldSpec | undefined {
  return Object.hasOwn(FIELDS, name) ? (FIELDS as Record<string, FieldSpec>)[name] : undefined;
}

/** Text fields searched by `q`, best first, with their weight in ranking (name beats description). */
export const QUERY_FIELDS = [
  { name: 'name', weight: 8 },
  { name: 'brand', weight: 4 },
  { name: 'category', weight: 3 },
  { name: 'tags', weight: 3 },
  { name: 'description', weight: 1 },
] as const;

export type QueryFieldName = (typeof QUERY_FIELDS)[number]['name'];

/** Typo budget, as Typesense's defaults: 1 typo from 4 characters, 2 from 7. */
export const MIN_LEN_1_TYPO = 4;
export const MIN_LEN_2_TYPO = 7;
export const MAX_PER_PAGE = 100;
export const DEFAULT_PER_PAGE = 20;
export const DEFAULT_MAX_FACET_VALUES = 10;

export function typoBudget(tokenLength: number): number {
  if (tokenLength >= MIN_LEN_2_TYPO) return 2;
  if (tokenLength >= MIN_LEN_1_TYPO) return 1;
  return 0;
}
