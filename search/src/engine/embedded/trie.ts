/**
 * The vocabulary of one index as a trie, for exact, prefix and typo-tolerant word lookup. Fuzzy
 * lookup walks the trie computing one row of the optimal-string-alignment distance (Damerau–
 * Levenshtein restricted: insert, delete, substitute, transpose adjacent) per node, and prunes a
 * branch as soon as no completion can get within the budget. Words are reference-counted so that
 * removing the last document using a word removes the word.
 */
interface TrieNode {
  children: Map<string, TrieNode> | null;
  /** number of documents whose text contains the word ending here (0 = not a word) */
  refs: number;
  word: string | null;
}

export interface WordMatch {
  word: string;
  /** edits needed (for a prefix match: edits between the query and the best prefix of the word) */
  typos: number;
  /** the word is longer than what matched: a completion of the typed prefix */
  prefix: boolean;
}

function node(): TrieNode {
  return { children: null, refs: 0, word: null };
}

export class Trie {
  private readonly root = node();
  private words = 0;

  get size(): number {
    return this.words;
  }

  add(word: string): void {
    let cur = this.root;
    for (const ch of word) {
      cur.children ??= new Map();
      let next = cur.children.get(ch);
      if (!next) {
        next = node();
        cur.children.set(ch, next);
      }
      cur = next;
    }
    if (cur.refs === 0) {
      cur.word = word;
      this.words++;
    }
    cur.refs++;
  }

  remove(word: string): void {
    const path: Array<[TrieNode, string]> = [];
    let cur = this.root;
    for (const ch of word) {
      const next = cur.children?.get(ch);
      if (!next) return;
      path.push([cur, ch]);
      cur = next;
    }
    if (cur.refs === 0) return;
    cur.refs--;
    if (cur.refs > 0) return;
    cur.word = null;
    this.words--;
    // prune empty branches bottom-up
    for (let i = path.length - 1; i >= 0; i--) {
      const [parent, ch] = path[i]!;
      const child = parent.children!.get(ch)!;
      if (child.refs > 0 || (child.children && child.children.size > 0)) break;
      parent.children!.delete(ch);
      if (parent.children!.size === 0) parent.children = null;
    }
  }

  has(word: string): boolean {
    let cur: TrieNode | undefined = this.root;
    for (const ch of word) {
      cur = cur.children?.get(ch);
      if (!cur) return false;
    }
    return cur.refs > 0;
  }

  /**
   * Words within `maxTypos` of `query`; with `prefix`, also words having a prefix within
   * `maxTypos` of it. Stops after `limit` words (prefix enumeration of a short query is large).
   */
  match(query: string, maxTypos: number, prefix: boolean, limit: number): WordMatch[] {
    const q = Array.from(query);
    const n = q.length;
    const out: WordMatch[] = [];
    const first = new Array<number>(n + 1);
    for (let i = 0; i <= n; i++) first[i] = i;
    if (maxTypos === 0) return this.matchExact(q, prefix, limit);
    const visit = (
      cur: TrieNode,
      ch: string,
      prev: number[],
      prevPrev: number[] | null,
      prevCh: string,
      best: number,
    ) => {
      if (out.length >= limit) return;
      const row = new Array<number>(n + 1);
      row[0] = prev[0]! + 1;
      let rowMin = row[0];
      for (let i = 1; i <= n; i++) {
        const cost = q[i - 1] === ch ? 0 : 1;
        let v = Math.min(row[i - 1]! + 1, prev[i]! + 1, prev[i - 1]! + cost);
        if (prevPrev && i > 1 && q[i - 1] === prevCh && q[i - 2] === ch) v = Math.min(v, prevPrev[i - 2]! + 1);
        row[i] = v;
        if (v < rowMin) rowMin = v;
      }
      const full = row[n]!;
      const bestPrefix = prefix ? Math.min(best, full) : Number.POSITIVE_INFINITY;
      if (cur.refs > 0) {
        if (full <= maxTypos && full <= bestPrefix) out.push({ word: cur.word!, typos: full, prefix: false });
        else if (bestPrefix <= maxTypos) out.push({ word: cur.word!, typos: bestPrefix, prefix: true });
      }
      if (!cur.children || (rowMin > maxTypos && bestPrefix > maxTypos)) return;
      for (const [nextCh, child] of cur.children) visit(child, nextCh, row, prev, ch, bestPrefix);
    };
    if (this.root.children) {
      for (const [ch, child] of this.root.children) visit(child, ch, first, null, '', Number.POSITIVE_INFINITY);
    }
    return out;
  }

  private matchExact(q: string[], prefix: boolean, limit: number): WordMatch[] {
    let cur: TrieNode | undefined = this.root;
    for (const ch of q) {
      cur = cur.children?.get(ch);
      if (!cur) return [];
    }
    const out: WordMatch[] = [];
    if (cur.refs > 0) out.push({ word: cur.word!, typos: 0, prefix: false });
    if (!prefix) return out;
    const stack: TrieNode[] = [];
    if (cur.children) for (const child of cur.children.values()) stack.push(child);
    while (stack.length > 0 && out.length < limit) {
      const next = stack.pop()!;
      if (next.refs > 0) out.push({ word: next.word!, typos: 0, prefix: true });
      if (next.children) for (const child of next.children.values()) stack.push(child);
    }
    return out;
  }
}
