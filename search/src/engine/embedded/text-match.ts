import { typoBudget } from '../../schema.ts';
import { type Entry, maskWeight, type Partition } from './partition.ts';
import type { WordMatch } from './trie.ts';

/** Query words beyond this are ignored (as Typesense caps query tokens). */
export const MAX_QUERY_TOKENS = 16;
/** Completions/typo variants collected per query word, then the best ones kept. */
const COLLECT_LIMIT = 400;
const KEEP_LIMIT = 64;

export interface TextMatches {
  /** entry → relevance (higher is better) */
  scores: Map<Entry, number>;
  /** word → how many leading characters to highlight (Infinity = the whole word) */
  highlight: Map<string, number>;
}

interface TokenAcc {
  matched: number;
  typos: number;
  weight: number;
  exact: number;
  nameHits: number;
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
  let result = score(tokens, candidates, true);
  if (result.scores.size === 0) {
    // pass 2: full typo budget for every word
    candidates = tokens.map((t, i) => lookup(partition, t, i === tokens.length - 1, 'budget'));
    result = score(tokens, candidates, true);
    if (result.scores.size === 0 && tokens.length > 1) result = score(tokens, candidates, false);
  }
  return result;
}

function lookup(
  partition: Partition,
  token: string,
  last: boolean,
  mode: 'minimal' | 'budget',
): Array<WordMatch & { posting: Map<Entry, number> }> {
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
    posting: partition.postings.get(m.word) ?? new Map<Entry, number>(),
  }));
  if (withPostings.length <= KEEP_LIMIT) return withPostings;
  // keep the closest and, among equals, the most common words
  withPostings.sort(
    (a, b) => a.typos - b.typos || Number(a.prefix) - Number(b.prefix) || b.posting.size - a.posting.size,
  );
  return withPostings.slice(0, KEEP_LIMIT);
}

function score(
  tokens: string[],
  candidates: Array<Array<WordMatch & { posting: Map<Entry, number> }>>,
  requireAll: boolean,
): TextMatches {
  const acc = new Map<Entry, TokenAcc>();
  const highlight = new Map<string, number>();
  // for AND, walk the rarest word first so the working set stays small
  const order = tokens.map((_, i) => i);
  if (requireAll) order.sort((a, b) => postingTotal(candidates[a]!) - postingTotal(candidates[b]!));
  let step = 0;
  for (const i of order) {
    const token = tokens[i]!;
    const best = new Map<Entry, { typos: number; weight: number; exact: boolean; name: boolean }>();
    for (const cand of candidates[i]!) {
      for (const [entry, mask] of cand.posting) {
        if (requireAll && step > 0) {
          const a = acc.get(entry);
          if (!a || a.matched !== step) continue;
        }
        const weight = maskWeight(mask);
        const prev = best.get(entry);
        if (
          !prev ||
          cand.typos < prev.typos ||
          (cand.typos === prev.typos &&
            (weight > prev.weight || (weight === prev.weight && !cand.prefix && !prev.exact)))
        ) {
          best.set(entry, {
            typos: cand.typos,
            weight,
            exact: !cand.prefix && cand.typos === 0,
            name: (mask & 1) !== 0,
          });
        }
      }
    }
    for (const cand of candidates[i]!) {
      if (cand.posting.size > 0 && !highlight.has(cand.word)) {
        highlight.set(cand.word, cand.prefix ? Math.min(token.length, cand.word.length) : Number.POSITIVE_INFINITY);
      }
    }
    for (const [entry, b] of best) {
      let a = acc.get(entry);
      if (!a) {
        if (requireAll && step > 0) continue;
        a = { matched: 0, typos: 0, weight: 0, exact: 0, nameHits: 0 };
        acc.set(entry, a);
      }
      a.matched++;
      a.typos += b.typos;
      a.weight += b.weight;
      a.exact += b.exact ? 1 : 0;
      a.nameHits += b.name ? 1 : 0;
    }
    step++;
  }
  const scores = new Map<Entry, number>();
  let maxMatched = 0;
  for (const a of acc.values()) if (a.matched > maxMatched) maxMatched = a.matched;
  const need = requireAll ? tokens.length : maxMatched;
  for (const [entry, a] of acc) {
    if (a.matched < need || a.matched === 0) continue;
    const coverage = entry.nameTokenCount > 0 ? Math.min(99, Math.round((99 * a.nameHits) / entry.nameTokenCount)) : 0;
    scores.set(
      entry,
      a.matched * 1e9 + (2 * MAX_QUERY_TOKENS - a.typos) * 1e7 + a.weight * 1e4 + a.exact * 1e2 + coverage,
    );
  }
  return { scores, highlight };
}

function postingTotal(cands: Array<{ posting: Map<Entry, number> }>): number {
  let total = 0;
  for (const c of cands) total += c.posting.size;
  return total;
}
