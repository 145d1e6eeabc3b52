import { FIELDS, type FieldSpec } from '../../schema.ts';

export interface TypesenseField {
  name: string;
  type: 'string' | 'string[]' | 'int64' | 'bool';
  facet?: boolean;
  optional?: boolean;
  sort?: boolean;
  index?: boolean;
}

export interface TypesenseCollectionSchema {
  name: string;
  fields: TypesenseField[];
  default_sorting_field: string;
  token_separators: string[];
}

/**
 * The Typesense collection for product documents, generated from the one field table (schema.ts).
 * `id` is Typesense's own document id (string) and is not declared. Strings are sortable only when
 * they say so (`sort: true`); numbers always are.
 */
export function collectionSchema(name: string): TypesenseCollectionSchema {
  const fields: TypesenseField[] = [];
  for (const [field, raw] of Object.entries(FIELDS)) {
    if (field === 'id') continue;
    const spec = raw as FieldSpec;
    const out: TypesenseField = { name: field, type: spec.type };
    if (spec.facet) out.facet = true;
    if (spec.optional) out.optional = true;
    if (spec.sort && spec.type === 'string') out.sort = true;
    fields.push(out);
  }
  return { name, fields, default_sorting_field: 'updated_at', token_separators: ['-', '/'] };
}
