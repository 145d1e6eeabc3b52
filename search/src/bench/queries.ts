import { prng, type SyntheticProduct } from './synthetic-catalog.ts';

export interface BenchQuery {
  q: string;
  facet_by: string;
  filter_by: string;
}

/**
 * Shopper-like queries: one or two words of a real product name, one typo in a word of 5+ letters
 * (substitution or adjacent transposition), the last word cut to a 3–6 letter prefix; every query
 * asks for facets and every other one filters.
 */
export function benchQueries(products: SyntheticProduct[], count: number, seed = 7): BenchQuery[] {
  const rnd = prng(seed);
  const out: BenchQuery[] = [];
  while (out.length < count) {
    const words = products[Math.floor(rnd() * products.length)]!.name.toLowerCase().split(' ');
    const take = words.slice(0, 1 + Math.floor(rnd() * Math.min(2, words.length)));
    const typoAt = take.findIndex((w, i) => w.length >= 5 && i < take.length - 1);
    const target = typoAt >= 0 ? typoAt : take.findIndex((w) => w.length >= 6);
    if (target >= 0) {
      const w = take[target]!;
      const at = 1 + Math.floor(rnd() * (w.length - 2));
      take[target] =
        rnd() < 0.5 ? w.slice(0, at) + w[at + 1] + w[at] + w.slice(at + 2) : `${w.slice(0, at)}x${w.slice(at + 1)}`;
    }
    const last = take.length - 1;
    const keep = Math.min(take[last]!.length, 3 + Math.floor(rnd() * 4));
    take[last] = take[last]!.slice(0, keep);
    out.push({
      q: take.join(' '),
      facet_by: 'category,brand,in_stock',
      filter_by: out.length % 2 === 0 ? 'in_stock:true' : '',
    });
  }
  return out;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
