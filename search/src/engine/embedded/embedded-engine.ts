import type { ProductDocument } from '../../document.ts';
import { compileFilter } from '../../query/filter-compile.ts';
import type { SearchRequest, SortSpec } from '../../query/search-request.ts';
import { tokenize } from '../../text/tokenize.ts';
import type { FacetResult, ReindexProgress, ReindexResult, SearchEngine, SearchHit, SearchResult } from '../engine.ts';
import { FacetIndex } from './facet-index.ts';
import { countFacets } from './facets.ts';
import { highlight } from './highlight.ts';
import { type Entry, Partition } from './partition.ts';
import { matchText } from './text-match.ts';
import { topK } from './top-k.ts';

interface Generation {
  id: number;
  partitions: Map<string, Partition>;
  /** product id → merchant id, to find a document's partition on remove */
  owner: Map<string, string>;
}

function emptyGeneration(id: number): Generation {
  return { id, partitions: new Map(), owner: new Map() };
}

/**
 * The in-process engine: our own inverted index + vocabulary trie per merchant (see README for the
 * measurements that chose it over MiniSearch/FlexSearch/Orama). Single-threaded and synchronous
 * inside each call, so a search never sees half an update. Reindex builds a new generation aside
 * and swaps it in.
 */
export class EmbeddedEngine implements SearchEngine {
  readonly kind = 'embedded' as const;
  private gen: Generation = emptyGeneration(0);

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  async upsert(docs: readonly ProductDocument[]): Promise<void> {
    for (const doc of docs) put(this.gen, doc);
  }

  async remove(ids: readonly string[]): Promise<void> {
    for (const id of ids) drop(this.gen, id);
  }

  async get(id: string): Promise<ProductDocument | null> {
    const merchant = this.gen.owner.get(id);
    return merchant === undefined ? null : (this.gen.partitions.get(merchant)?.entries.get(id)?.doc ?? null);
  }

  /** documents per merchant (for the reindex report and tests) */
  counts(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [merchant, p] of this.gen.partitions) out.set(merchant, p.entries.size);
    return out;
  }

  async search(merchantId: string, request: SearchRequest): Promise<SearchResult> {
    return this.searchSync(merchantId, request);
  }

  searchSync(merchantId: string, request: SearchRequest): SearchResult {
    const started = performance.now();
    const partition = this.gen.partitions.get(merchantId);
    const empty = { hits: [], found: 0, facets: [], page: request.page, perPage: request.perPage };
    if (!partition) return { ...empty, facets: countFacets([], request.facetBy, 1), searchTimeMs: elapsed(started) };
    const predicate = request.filter ? compileFilter(request.filter) : null;
    const words = tokenize(request.q);
    let candidates: Iterable<Entry>;
    let scores: Float64Array | null = null;
    let marks = new Map<string, number>();
    if (words.length === 0) {
      candidates = partition.entries.values();
    } else {
      const text = matchText(partition, words);
      candidates = text.entries;
      scores = text.scores;
      marks = text.highlight;
    }
    // the store scope is enforced here as well as by partitioning: only published documents
    const matching: Entry[] = [];
    if (predicate) {
      for (const entry of candidates) if (entry.published && predicate(entry.doc)) matching.push(entry);
    } else {
      for (const entry of candidates) if (entry.published) matching.push(entry);
    }
    const cmp = comparator(request.sortBy, words.length > 0, scores);
    const offset = (request.page - 1) * request.perPage;
    const top = topK(matching, offset + request.perPage, cmp).slice(offset);
    const hits: SearchHit[] = top.map((entry) => ({
      document: entry.doc,
      highlight: { name: highlight(entry.doc.name, marks) },
      textMatch: scores ? scores[entry.slot]! : 0,
    }));
    return {
      hits,
      found: matching.length,
      facets: facetsOf(partition, matching, request.facetBy, request.maxFacetValues),
      page: request.page,
      perPage: request.perPage,
      searchTimeMs: elapsed(started),
    };
  }

  async reindex(
    batches: AsyncIterable<readonly ProductDocument[]>,
    onProgress?: (p: ReindexProgress) => void,
  ): Promise<ReindexResult> {
    const next = emptyGeneration(this.gen.id + 1);
    let count = 0;
    for await (const batch of batches) {
      for (const doc of batch) put(next, doc);
      count += batch.length;
      onProgress?.({ done: count, total: null });
    }
    for (const partition of next.partitions.values()) partition.warm();
    this.gen = next;
    return { count: next.owner.size, target: `generation-${next.id}` };
  }
}

function facetsOf(partition: Partition, matching: Entry[], fields: string[], max: number): FacetResult[] {
  if (fields.length === 0) return [];
  let slots: Int32Array | null = null;
  let docs: ProductDocument[] | null = null;
  return fields.map((field) => {
    if (FacetIndex.handles(field)) {
      if (!slots) {
        // an explicit loop: Int32Array.from with a mapper is ~10x slower here
        slots = new Int32Array(matching.length);
        for (let k = 0; k < matching.length; k++) slots[k] = matching[k]!.slot;
      }
      return { field, counts: partition.facets.count(slots, field, max) };
    }
    docs ??= matching.map((e) => e.doc);
    return countFacets(docs, [field], max)[0]!;
  });
}

function put(gen: Generation, doc: ProductDocument): void {
  const previous = gen.owner.get(doc.id);
  if (previous !== undefined && previous !== doc.merchant_id) drop(gen, doc.id);
  let partition = gen.partitions.get(doc.merchant_id);
  if (!partition) {
    partition = new Partition();
    gen.partitions.set(doc.merchant_id, partition);
  }
  partition.upsert(doc);
  gen.owner.set(doc.id, doc.merchant_id);
}

function drop(gen: Generation, id: string): void {
  const merchant = gen.owner.get(id);
  if (merchant === undefined) return;
  gen.partitions.get(merchant)?.remove(id);
  gen.owner.delete(id);
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 1000) / 1000;
}

function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** User sort fields first; text match leads when there is text and no explicit sort; id breaks ties. */
function comparator(sortBy: SortSpec[], hasText: boolean, scores: Float64Array | null): (a: Entry, b: Entry) => number {
  const specs: SortSpec[] =
    sortBy.length > 0
      ? [...sortBy]
      : hasText
        ? [{ field: '_text_match', order: 'desc' }]
        : [{ field: 'name', order: 'asc' }];
  if (hasText && !specs.some((s) => s.field === '_text_match')) specs.push({ field: '_text_match', order: 'desc' });
  const keys = specs.map((s) => {
    const sign = s.order === 'asc' ? 1 : -1;
    if (s.field === '_text_match') {
      if (!scores) return () => 0;
      return (a: Entry, b: Entry) => sign * (scores[a.slot]! - scores[b.slot]!);
    }
    const field = s.field as keyof ProductDocument;
    return (a: Entry, b: Entry) => {
      const x = a.doc[field];
      const y = b.doc[field];
      if (typeof x === 'number' && typeof y === 'number') return sign * (x - y);
      const xs = String(x ?? '').toLowerCase();
      const ys = String(y ?? '').toLowerCase();
      return sign * (xs < ys ? -1 : xs > ys ? 1 : 0);
    };
  });
  return (a, b) => {
    for (const key of keys) {
      const c = key(a, b);
      if (c !== 0) return c;
    }
    return compareIds(a.doc.id, b.doc.id);
  };
}
