import type { ProductDocument } from '../../document.ts';
import type { FacetCount } from '../engine.ts';

/** Facet fields counted through interned value ids (numeric facets use the generic path for stats). */
export const INTERNED_FACETS = ['brand', 'category', 'tags', 'currency', 'in_stock'] as const;
type InternedField = (typeof INTERNED_FACETS)[number];

interface FieldIndex {
  ids: Map<string, number>;
  values: string[];
  /** single-valued fields: value id + 1 per entry slot (0 = no value) */
  single: Int32Array;
  /** multi-valued fields (tags): value ids per entry slot */
  multi: Array<number[] | undefined>;
}

const MULTI = new Set(['tags']);

/**
 * Per-partition interned facet values: counting 20k matches is then integer increments into a
 * typed array instead of string-keyed Map updates per document and field.
 */
export class FacetIndex {
  private readonly fields = new Map<string, FieldIndex>(
    INTERNED_FACETS.map((f) => [f, { ids: new Map(), values: [], single: new Int32Array(1024), multi: [] }]),
  );

  static handles(field: string): field is InternedField {
    return (INTERNED_FACETS as readonly string[]).includes(field);
  }

  set(slot: number, doc: ProductDocument): void {
    for (const [field, index] of this.fields) {
      const raw = (doc as unknown as Record<string, unknown>)[field];
      if (MULTI.has(field)) {
        index.multi[slot] = Array.isArray(raw) ? [...new Set(raw.map(String))].map((v) => intern(index, v)) : undefined;
        continue;
      }
      if (slot >= index.single.length) {
        const grown = new Int32Array(Math.max(slot + 1, index.single.length * 2));
        grown.set(index.single);
        index.single = grown;
      }
      index.single[slot] = raw === null || raw === undefined ? 0 : intern(index, String(raw)) + 1;
    }
  }

  clear(slot: number): void {
    for (const [field, index] of this.fields) {
      if (MULTI.has(field)) index.multi[slot] = undefined;
      else if (slot < index.single.length) index.single[slot] = 0;
    }
  }

  count(slots: Int32Array, field: InternedField, maxValues: number): FacetCount[] {
    const index = this.fields.get(field)!;
    const counts = new Int32Array(index.values.length + 1);
    if (MULTI.has(field)) {
      const { multi } = index;
      for (let k = 0; k < slots.length; k++) {
        const ids = multi[slots[k]!];
        if (ids) for (const id of ids) counts[id + 1]!++;
      }
    } else {
      const { single } = index;
      for (let k = 0; k < slots.length; k++) counts[single[slots[k]!]!]!++;
    }
    const out: FacetCount[] = [];
    // counts[0] is "no value"
    for (let id = 1; id < counts.length; id++) {
      if (counts[id]! > 0) out.push({ value: index.values[id - 1]!, count: counts[id]! });
    }
    out.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
    return out.slice(0, maxValues);
  }
}

function intern(index: FieldIndex, value: string): number {
  let id = index.ids.get(value);
  if (id === undefined) {
    id = index.values.length;
    index.values.push(value);
    index.ids.set(value, id);
  }
  return id;
}
