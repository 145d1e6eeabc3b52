import type { ProductDocument } from '../../document.ts';
import type { FacetCount } from '../engine.ts';

/** Facet fields counted through interned value ids (numeric facets use the generic path for stats). */
export const INTERNED_FACETS = ['brand', 'category', 'tags', 'currency', 'in_stock'] as const;
type InternedField = (typeof INTERNED_FACETS)[number];

interface FieldIndex {
  ids: Map<string, number>;
  values: string[];
  /** value id (or ids, for tags) per entry slot */
  bySlot: Array<number | number[] | undefined>;
}

/**
 * Per-partition interned facet values: counting 20k matches is then integer increments into a
 * typed array instead of string-keyed Map updates per document and field.
 */
export class FacetIndex {
  private readonly fields = new Map<string, FieldIndex>(
    INTERNED_FACETS.map((f) => [f, { ids: new Map(), values: [], bySlot: [] }]),
  );

  static handles(field: string): field is InternedField {
    return (INTERNED_FACETS as readonly string[]).includes(field);
  }

  set(slot: number, doc: ProductDocument): void {
    for (const [field, index] of this.fields) {
      const raw = (doc as unknown as Record<string, unknown>)[field];
      if (Array.isArray(raw)) {
        index.bySlot[slot] = [...new Set(raw.map(String))].map((v) => intern(index, v));
      } else if (raw === null || raw === undefined) {
        index.bySlot[slot] = undefined;
      } else {
        index.bySlot[slot] = intern(index, String(raw));
      }
    }
  }

  clear(slot: number): void {
    for (const index of this.fields.values()) index.bySlot[slot] = undefined;
  }

  count(slots: Iterable<number>, field: InternedField, maxValues: number): FacetCount[] {
    const index = this.fields.get(field)!;
    const counts = new Int32Array(index.values.length);
    const { bySlot } = index;
    for (const slot of slots) {
      const v = bySlot[slot];
      if (v === undefined) continue;
      if (typeof v === 'number') counts[v]!++;
      else for (const id of v) counts[id]!++;
    }
    const out: FacetCount[] = [];
    for (let id = 0; id < counts.length; id++)
      if (counts[id]! > 0) out.push({ value: index.values[id]!, count: counts[id]! });
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
