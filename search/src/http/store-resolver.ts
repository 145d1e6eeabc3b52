import type { Sql } from 'postgres';

export interface Store {
  merchantId: string;
  slug: string;
  name: string;
  currency: string;
}

export type StoreResolver = (slug: string) => Promise<Store | null>;

const SLUG = /^[a-z0-9][a-z0-9-]{1,62}$/;

/**
 * merchants.slug → store, cached briefly: every keystroke of every shopper hits this, and a
 * renamed or new store showing up 30 s late is fine. Unknown slugs are not cached (no growth from
 * junk URLs).
 */
export function createStoreResolver(sql: Sql, ttlMs = 30_000, now: () => number = Date.now): StoreResolver {
  const cache = new Map<string, { store: Store; expires: number }>();
  return async (slug) => {
    if (!SLUG.test(slug)) return null;
    const hit = cache.get(slug);
    if (hit && hit.expires > now()) return hit.store;
    const [row] = await sql<{ id: string; name: string; currency: string }[]>`
      select id::text, name, currency from merchants where slug = ${slug}`;
    if (!row) {
      cache.delete(slug);
      return null;
    }
    const store = { merchantId: row.id, slug, name: row.name, currency: row.currency };
    if (cache.size > 10_000) cache.clear();
    cache.set(slug, { store, expires: now() + ttlMs });
    return store;
  };
}
