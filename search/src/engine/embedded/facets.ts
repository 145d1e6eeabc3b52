import type { ProductDocument } from '../../document.ts';
import { FIELDS, type FieldName } from '../../schema.ts';
import type { FacetResult } from '../engine.ts';

/** Facet counts over the matching documents: values by count (desc) then value; numeric stats. */
export function countFacets(docs: Iterable<ProductDocument>, fields: string[], maxValues: number): FacetResult[] {
  if (fields.length === 0) return [];
  const counters = fields.map(() => new Map<string, number>());
  const stats = fields.map(() => ({ min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY }));
  const numeric = fields.map((f) => FIELDS[f as FieldName].type === 'int64');
  for (const doc of docs) {
    for (let i = 0; i < fields.length; i++) {
      const value = (doc as unknown as Record<string, unknown>)[fields[i]!];
      const counter = counters[i]!;
      if (Array.isArray(value)) {
        for (const v of new Set(value as string[])) counter.set(v, (counter.get(v) ?? 0) + 1);
      } else if (value !== null && value !== undefined) {
        const key = String(value);
        counter.set(key, (counter.get(key) ?? 0) + 1);
        if (numeric[i]) {
          const s = stats[i]!;
          const n = value as number;
          if (n < s.min) s.min = n;
          if (n > s.max) s.max = n;
        }
      }
    }
  }
  return fields.map((field, i) => {
    const counts = [...counters[i]!]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, maxValues)
      .map(([value, count]) => ({ value, count }));
    const s = stats[i]!;
    return numeric[i] && counts.length > 0 ? { field, counts, stats: { min: s.min, max: s.max } } : { field, counts };
  });
}
