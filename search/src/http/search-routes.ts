import { readFileSync } from 'node:fs';
import type { Logger } from '@commerce/common';
import { Hono } from 'hono';
import type { Sql } from 'postgres';
import type { SearchEngine, SearchResult } from '../engine/engine.ts';
import { TypesenseEngine } from '../engine/typesense/typesense-engine.ts';
import { SearchError } from '../errors.ts';
import { parseSearchRequest } from '../query/search-request.ts';
import { errorResponse } from './error-status.ts';
import { createStoreResolver, type Store, type StoreResolver } from './store-resolver.ts';

export interface SearchRoutesDeps {
  engine: SearchEngine;
  sql: Sql;
  logger?: Logger;
  /** override store lookup (tests); default reads merchants by slug with a 30 s cache */
  resolveStore?: StoreResolver;
}

const asset = (name: string) => readFileSync(new URL(`../storefront/${name}`, import.meta.url), 'utf8');

/** The wire shape of a search response (snake_case, like the rest of the api). */
export function toResponseBody(result: SearchResult) {
  return {
    hits: result.hits.map((h) => ({ document: h.document, highlight: h.highlight, text_match: h.textMatch })),
    found: result.found,
    facet_counts: result.facets,
    page: result.page,
    per_page: result.perPage,
    search_time_ms: result.searchTimeMs,
  };
}

/**
 * Shoppers' search, as a Hono sub-app the api mounts at its root:
 *   GET /stores/:storeSlug/search      the query API (public, read-only)
 *   GET /stores/:storeSlug             the storefront page
 *   GET /stores/:storeSlug/search-key  a scoped Typesense key (typesense engine only)
 *   GET /storefront/storefront.{js,css}
 * Only published products of the store named in the URL are ever visible: the merchant id comes
 * from the slug, and the engine scopes every search by it.
 */
export function createSearchRoutes(deps: SearchRoutesDeps): Hono {
  const resolve = deps.resolveStore ?? createStoreResolver(deps.sql);
  const html = asset('index.html');
  const js = asset('storefront.js');
  const css = asset('storefront.css');
  const app = new Hono();

  app.onError((thrown, c) => {
    const { status, body, error } = errorResponse(thrown);
    if (status >= 500) deps.logger?.error({ err: error.cause ?? error, path: c.req.path }, 'search request failed');
    if (error.retriable) c.header('Retry-After', '1');
    return c.json(body, status);
  });

  const store = async (slug: string): Promise<Store> => {
    const found = await resolve(slug);
    if (!found) throw new SearchError('not_found', 'search.store_not_found', `no store "${slug}"`);
    return found;
  };

  app.get('/stores/:storeSlug/search', async (c) => {
    // validate before the lookup: a bad query is a 400 whatever the store
    const request = parseSearchRequest(c.req.query());
    const { merchantId } = await store(c.req.param('storeSlug'));
    const result = await deps.engine.search(merchantId, request);
    c.header('Cache-Control', 'no-store');
    return c.json(toResponseBody(result));
  });

  app.get('/stores/:storeSlug/search-key', async (c) => {
    const { merchantId } = await store(c.req.param('storeSlug'));
    if (!(deps.engine instanceof TypesenseEngine)) {
      throw new SearchError('not_found', 'search.bad_param', 'scoped keys exist only with SEARCH_ENGINE=typesense');
    }
    const ttl = 3_600;
    return c.json({
      engine: 'typesense',
      collection: deps.engine.alias,
      key: deps.engine.scopedSearchKey(merchantId, ttl),
      expires_in: ttl,
    });
  });

  app.get('/stores/:storeSlug', async (c) => {
    const s = await store(c.req.param('storeSlug'));
    const page = html
      .replaceAll('{{STORE_NAME}}', escapeHtml(s.name))
      .replaceAll('{{STORE_SLUG}}', escapeHtml(s.slug))
      .replaceAll('{{CURRENCY}}', escapeHtml(s.currency));
    return c.html(page);
  });

  app.get('/storefront/storefront.js', (c) =>
    c.body(js, 200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'public, max-age=300' }),
  );
  app.get('/storefront/storefront.css', (c) =>
    c.body(css, 200, { 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': 'public, max-age=300' }),
  );
  return app;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
