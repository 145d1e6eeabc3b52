import { typoBudget } from '../../schema.ts';
import { type Entry, maskWeight, type Partition, type PostingArrays } from './partition.ts';
import type { WordMatch } from './trie.ts';

/** Query words beyond this are ignored (as Typesense caps query tokens). */
export const MAX_QUERY_TOKENS = 16;
/** Completions/typo variants collected per query word, then the best ones kept. */
const COLLECT_LIMIT = 400;
/** words kept per query word: completions of an exact prefix, and (fewer, like Typesense's
 * max_candidates) variants that need a typo */
const KEEP_EXACT = 64;
const KEEP_TYPO = 16;

export interface TextMatches {
  /** matching entries, in no particular order */
  entries: Entry[];
  /** relevance by entry slot (higher is better); only meaningful for `entries` */
  scores: Float64Array;
  /** word → how many leading characters to highlight (Infinity = the whole word) */
  highlight: Map<string, number>;
}

/**
 * Per-query accumulators indexed by entry slot, reused across queries (a stamp per slot says
 * whether the value belongs to the current query), so scoring 30k matches allocates nothing per
 * match. One set per partition; queries are synchronous, so it is never shared concurrently.
 */
class Scratch {
  size = 0;
  stamp = new Uint32Array(0);
  matched = new Uint8Array(0);
  typos = new Uint16Array(0);
  weight = new Uint16Array(0);
  exact = new Uint8Array(0);
  nameHits = new Uint8Array(0);
  tokStamp = new Uint32Array(0);
  tokTypos = new Uint8Array(0);
  tokWeight = new Uint8Array(0);
  tokFlags = new Uint8Array(0);
  scores = new Float64Array(0);
  /** slot lists: two alternating "seen by this word" lists and the OR-mode "touched" list */
  lists: [Int32Array, Int32Array, Int32Array] = [new Int32Array(0), new Int32Array(0), new Int32Array(0)];
  entries: Array<Entry | undefined> = [];
  private clock = 0;

  ensure(size: number): void {
    if (size <= this.size) return;
    const n = Math.max(size, Math.ceil(this.size * 1.5), 1024);
    this.size = n;
    this.stamp = new Uint32Array(n);
    this.matched = new Uint8Array(n);
    this.typos = new Uint16Array(n);
    this.weight = new Uint16Array(n);
    this.exact = new Uint8Array(n);
    this.nameHits = new Uint8Array(n);
    this.tokStamp = new Uint32Array(n);
    this.tokTypos = new Uint8Array(n);
    this.tokWeight = new Uint8Array(n);
    this.tokFlags = new Uint8Array(n);
    this.scores = new Float64Array(n);
    this.lists = [new Int32Array(n), new Int32Array(n), new Int32Array(n)];
    this.entries = new Array(n);
    this.clock = 0;
  }

  tick(): number {
    if (this.clock >= 0xfffffff0) {
      this.stamp.fill(0);
      this.tokStamp.fill(0);
      this.clock = 0;
    }
    return ++this.clock;
  }
}

const scratches = new WeakMap<Partition, Scratch>();

function scratchFor(partition: Partition): Scratch {
  let s = scratches.get(partition);
  if (!s) {
    s = new Scratch();
    scratches.set(partition, s);
  }
  s.ensure(partition.capacity);
  return s;
}

/**
 * Finds and scores the entries matching the query words, Typesense-style: every word must match
 * (falling back to "as many words as possible" when none match them all); the last word also
 * matches as a prefix; typos are tried only when the exact/prefix pass finds nothing. Ranking, most
 * important first: words matched, fewer typos, field weight (name > brand > category/tags >
 * description), exact words over completions, share of the name covered.
 */
export function matchText(partition: Partition, words: string[]): TextMatches {
  const tokens = words.slice(0, MAX_QUERY_TOKENS);
  // pass 1: each word at the smallest typo count that finds anything in the vocabulary
  let candidates = tokens.map((t, i) => lookup(partition, t, i === tokens.length - 1, 'minimal'));
  const scratch = scratchFor(partition);
  let result = score(scratch, tokens, candidates, true);
  if (result.entries.length === 0) {
    // pass 2: full typo budget for every word
    candidates = tokens.map((t, i) => lookup(partition, t, i === tokens.length - 1, 'budget'));
    result = score(scratch, tokens, candidates, true);
    if (result.entries.length === 0 && tokens.length > 1) result = score(scratch, tokens, candidates, false);
  }
  return result;
}

function lookup(partition: Partition, token: string, last: boolean, mode: 'minimal' | 'budget'): Candidate[] {
  const budget = typoBudget(token.length);
  let found: WordMatch[] = [];
  if (mode === 'minimal') {
    for (let typos = 0; typos <= budget && found.length === 0; typos++) {
      found = partition.vocabulary.match(token, typos, last, COLLECT_LIMIT);
    }
  } else {
    found = partition.vocabulary.match(token, budget, last, COLLECT_LIMIT);
  }
  const withPostings = found.map((m) => ({
    ...m,
    posting: partition.postingArrays(m.word),
  }));
  const keep = found.some((m) => m.typos > 0) ? KEEP_TYPO : KEEP_EXACT;
  if (withPostings.length <= keep) return withPostings;
  // keep the closest and, among equals, the most common words
  withPostings.sort(
    (a, b) => a.typos - b.typos || Number(a.prefix) - Number(b.prefix) || b.posting.size - a.posting.size,
  );
  return withPostings.slice(0, keep);
}

type Candidate = WordMatch & { posting: PostingArrays };

const EXACT = 1;
const NAME = 2;

function score(scratch: Scratch, tokens: string[], candidates: Candidate[][], requireAll: boolean): TextMatches {
  const query = scratch.tick();
  const {
    stamp,
    matched,
    typos,
    weight,
    exact,
    nameHits,
    tokStamp,
    tokTypos,
    tokWeight,
    tokFlags,
    entries: bySlot,
  } = scratch;
  const highlight = new Map<string, number>();
  let touched = scratch.lists[2];
  let touchedLen = 0;
  let current = 0;
  // for AND, walk the rarest word first so the working set stays small
  const order = tokens.map((_, i) => i);
  if (requireAll) order.sort((a, b) => postingTotal(candidates[a]!) - postingTotal(candidates[b]!));
  let step = 0;
  for (const i of order) {
    const token = tokens[i]!;
    const tok = scratch.tick();
    const seen = scratch.lists[current]!;
    let seenLen = 0;
    for (const cand of candidates[i]!) {
      if (cand.posting.size > 0 && !highlight.has(cand.word)) {
        highlight.set(cand.word, cand.prefix ? Math.min(token.length, cand.word.length) : Number.POSITIVE_INFINITY);
      }
      const candExact = !cand.prefix && cand.typos === 0;
      const { slots, masks, entries, size } = cand.posting;
      for (let k = 0; k < size; k++) {
        const slot = slots[k]!;
        const mask = masks[k]!;
        if (step > 0 && requireAll && (stamp[slot] !== query || matched[slot] !== step)) continue;
        const w = maskWeight(mask);
        if (tokStamp[slot] !== tok) {
          tokStamp[slot] = tok;
          tokTypos[slot] = cand.typos;
          tokWeight[slot] = w;
          tokFlags[slot] = (candExact ? EXACT : 0) | (mask & 1 ? NAME : 0);
          seen[seenLen++] = slot;
          bySlot[slot] = entries[k];
          continue;
        }
        const pt = tokTypos[slot]!;
        const pw = tokWeight[slot]!;
        if (
          cand.typos < pt ||
          (cand.typos === pt && (w > pw || (w === pw && candExact && !(tokFlags[slot]! & EXACT))))
        ) {
          tokTypos[slot] = cand.typos;
          tokWeight[slot] = w;
          tokFlags[slot] = (candExact ? EXACT : 0) | (mask & 1 ? NAME : 0);
        }
      }
    }
    for (let k = 0; k < seenLen; k++) {
      const slot = seen[k]!;
      if (stamp[slot] !== query) {
        stamp[slot] = query;
        matched[slot] = 0;
        typos[slot] = 0;
        weight[slot] = 0;
        exact[slot] = 0;
        nameHits[slot] = 0;
        if (!requireAll) touched[touchedLen++] = slot;
      }
      matched[slot]!++;
      typos[slot]! += tokTypos[slot]!;
      weight[slot]! += tokWeight[slot]!;
      if (tokFlags[slot]! & EXACT) exact[slot]!++;
      if (tokFlags[slot]! & NAME) nameHits[slot]!++;
    }
    if (requireAll) {
      touched = seen;
      touchedLen = seenLen;
      current ^= 1;
    }
    step++;
  }
  let need = tokens.length;
  if (!requireAll) {
    need = 0;
    for (let k = 0; k < touchedLen; k++) if (matched[touched[k]!]! > need) need = matched[touched[k]!]!;
  }
  const out: Entry[] = [];
  for (let k = 0; k < touchedLen; k++) {
    const slot = touched[k]!;
    if (matched[slot]! < need || matched[slot] === 0) continue;
    const entry = bySlot[slot]!;
    const names = entry.nameTokenCount;
    const coverage = names > 0 ? Math.min(99, Math.round((99 * nameHits[slot]!) / names)) : 0;
    scratch.scores[slot] =
      matched[slot]! * 1e9 +
      (2 * MAX_QUERY_TOKENS - typos[slot]!) * 1e7 +
      weight[slot]! * 1e4 +
      exact[slot]! * 1e2 +
      coverage;
    out.push(entry);
  }
  return { entries: out, scores: scratch.scores, highlight };
}

function postingTotal(cands: Array<{ posting: PostingArrays }>): number {
  let total = 0;
  for (const c of cands) total += c.posting.size;
  return total;
}
