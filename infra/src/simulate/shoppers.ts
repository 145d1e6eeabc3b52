import { DEMO_RESTAURANT_SLUG, DEMO_RETAIL_SLUG } from '../seed/demo-seed.ts';
import { demoMenu } from '../seed/menu.ts';
import type { seededRandom } from '../seed/random.ts';
import { retailCatalog } from '../seed/retail-catalog.ts';
import { type ApiClient, errorLabel } from './api-client.ts';
import { startArrivals } from './arrivals.ts';
import type { RushStats } from './rush-stats.ts';

type Random = ReturnType<typeof seededRandom>;

/** One slip of the thumb: a swapped, dropped, doubled or wrong letter (words under 4 letters kept). */
export function typo(word: string, rnd: Random): string {
  if (word.length < 4) return word;
  const i = rnd.int(1, word.length - 2);
  switch (rnd.int(0, 3)) {
    case 0:
      return word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
    case 1:
      return word.slice(0, i) + word.slice(i + 1);
    case 2:
      return word.slice(0, i) + word[i] + word.slice(i);
    default:
      return word.slice(0, i) + rnd.pick([...'aeiourstnl']) + word.slice(i + 1);
  }
}

function vocabulary(names: readonly string[]): string[] {
  const words = new Set<string>();
  for (const name of names) for (const w of name.toLowerCase().split(/[^a-z]+/)) if (w.length >= 4) words.add(w);
  return [...words];
}

/**
 * Shoppers on the storefronts typing into instant search: each has a phrase in mind (one or two
 * words of the catalog, often with a typo) and sends the query as it grows, a few letters at a time,
 * like the storefront page does. Mostly the demo store, sometimes the restaurant's menu.
 */
export function startShoppers(deps: {
  api: ApiClient;
  stats: RushStats;
  rnd: Random;
  shoppers: number;
  searchesPerS: number;
}) {
  const { api, stats, rnd } = deps;
  if (deps.shoppers === 0) return { drain: async () => {} };
  const retailWords = vocabulary(retailCatalog(300).map((p) => p.name));
  const menuWords = vocabulary(demoMenu().map((m) => m.name));
  const phrase = () => {
    const store = rnd.next() < 0.85 ? DEMO_RETAIL_SLUG : DEMO_RESTAURANT_SLUG;
    const words = store === DEMO_RETAIL_SLUG ? retailWords : menuWords;
    const picked = rnd.sample(words, rnd.next() < 0.6 ? 1 : 2).map((w) => (rnd.next() < 0.5 ? typo(w, rnd) : w));
    return { store, text: picked.join(' '), typed: 0 };
  };
  const shoppers = Array.from({ length: deps.shoppers }, phrase);
  const inflight = new Set<Promise<void>>();
  const search = async (store: string, q: string) => {
    try {
      const response = await api.call<{ found?: number }>(
        'GET',
        `/stores/${store}/search?q=${encodeURIComponent(q)}&per_page=12`,
        {},
      );
      stats.search.record(response.ms);
      stats.searches++;
      if (response.status !== 200) stats.error(`GET /stores/{slug}/search ${errorLabel(response)}`);
      else if (!response.body?.found) stats.searchesNoHits++;
    } catch (error) {
      stats.error(`GET /stores/{slug}/search ${(error as Error).message}`);
    }
  };
  const arrivals = startArrivals(deps.searchesPerS, rnd.next, () => {
    const index = rnd.int(0, shoppers.length - 1);
    let shopper = shoppers[index]!;
    if (shopper.typed >= shopper.text.length) shopper = shoppers[index] = phrase();
    shopper.typed = Math.min(shopper.text.length, Math.max(3, shopper.typed + rnd.int(1, 3)));
    const task: Promise<void> = search(shopper.store, shopper.text.slice(0, shopper.typed)).finally(() =>
      inflight.delete(task),
    );
    inflight.add(task);
  });
  return {
    async drain() {
      arrivals.stop();
      await Promise.all(inflight);
    },
  };
}
