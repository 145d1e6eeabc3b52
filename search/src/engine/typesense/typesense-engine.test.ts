import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ProductDocument } from '../../document.ts';
import { parseSearchRequest } from '../../query/search-request.ts';
import { demoDocuments } from '../../testing/demo-catalog.ts';
import { collectionSchema } from './collection-schema.ts';
import { FakeTypesense, type RecordedRequest } from './fake-typesense.ts';
import { TypesenseEngine } from './typesense-engine.ts';

const fake = new FakeTypesense();
beforeAll(() => fake.start());
afterAll(() => fake.stop());
beforeEach(() => fake.reset());

const NOW = 1_760_000_000_000;
const engine = (batch = 1000) =>
  new TypesenseEngine({
    url: fake.url,
    apiKey: 'admin-key',
    searchOnlyKey: 'search-only-key',
    importBatchSize: batch,
    retry: { attempts: 4, baseDelayMs: 1, maxDelayMs: 2 },
    now: () => NOW,
  });

const is = (method: string, path: string) => (r: RecordedRequest) => r.method === method && r.path === path;
const importOk = (r: RecordedRequest) => ({
  status: 200,
  contentType: 'text/plain; charset=utf-8',
  body: r.body
    .split('\n')
    .map(() => '{"success":true}')
    .join('\n'),
});
const docs = (n: number): ProductDocument[] =>
  Array.from({ length: n }, (_, i) => ({ ...demoDocuments('7')[i % 24]!, id: String(i + 1) }));

describe('Typesense collection schema', () => {
  it('declares every document field with its type, facets and sorting', () => {
    const schema = collectionSchema('products_1');
    expect(schema.name).toBe('products_1');
    expect(schema.default_sorting_field).toBe('updated_at');
    const field = (n: string) => schema.fields.find((f) => f.name === n);
    expect(schema.fields.some((f) => f.name === 'id')).toBe(false);
    expect(field('merchant_id')).toEqual({ name: 'merchant_id', type: 'string' });
    expect(field('name')).toEqual({ name: 'name', type: 'string', sort: true });
    expect(field('brand')).toEqual({ name: 'brand', type: 'string', facet: true, optional: true });
    expect(field('tags')).toEqual({ name: 'tags', type: 'string[]', facet: true });
    expect(field('price')).toEqual({ name: 'price', type: 'int64', facet: true });
    expect(field('in_stock')).toEqual({ name: 'in_stock', type: 'bool', facet: true });
    expect(field('published')).toEqual({ name: 'published', type: 'bool' });
  });
});

describe('TypesenseEngine over HTTP', () => {
  it('creates the first collection and the alias on start', async () => {
    fake.on((r) => (is('POST', '/collections')(r) ? { status: 201, body: JSON.parse(r.body) } : undefined));
    fake.on((r) => (is('PUT', '/aliases/products')(r) ? { status: 200, body: JSON.parse(r.body) } : undefined));
    await engine().start();
    const [getAlias, create, alias] = fake.requests;
    expect(getAlias).toMatchObject({ method: 'GET', path: '/aliases/products' });
    expect(getAlias!.headers['x-typesense-api-key']).toBe('admin-key');
    expect(create).toMatchObject({ method: 'POST', path: '/collections' });
    expect(JSON.parse(create!.body)).toEqual(collectionSchema(`products_${NOW}`));
    expect(alias).toMatchObject({ method: 'PUT', path: '/aliases/products' });
    expect(JSON.parse(alias!.body)).toEqual({ collection_name: `products_${NOW}` });
  });

  it('leaves an existing alias alone on start', async () => {
    fake.on((r) =>
      is('GET', '/aliases/products')(r)
        ? { status: 200, body: { name: 'products', collection_name: 'products_1' } }
        : undefined,
    );
    await engine().start();
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /aliases/products']);
  });

  it('imports in JSONL batches with action=upsert', async () => {
    fake.on((r) => (is('POST', '/collections/products/documents/import')(r) ? importOk(r) : undefined));
    const all = docs(2500);
    await engine(1000).upsert(all);
    expect(fake.requests).toHaveLength(3);
    const lines = fake.requests.map((r) => r.body.split('\n'));
    expect(lines.map((l) => l.length)).toEqual([1000, 1000, 500]);
    expect(fake.requests[0]!.query.action).toBe('upsert');
    expect(fake.requests[0]!.headers['content-type']).toMatch(/^text\/plain/);
    expect(JSON.parse(lines[2]![499]!)).toEqual(all[2499]);
  });

  it('retries 503 "Not Ready or Lagging" and then succeeds', async () => {
    let failures = 2;
    fake.on((r) => {
      if (!is('POST', '/collections/products/documents/import')(r)) return undefined;
      if (failures-- > 0) return { status: 503, body: { message: 'Not Ready or Lagging' } };
      return importOk(r);
    });
    await engine().upsert(docs(3));
    expect(fake.requests).toHaveLength(3);
    expect(fake.requests.every((r) => r.body === fake.requests[0]!.body)).toBe(true);
  });

  it('gives up after the retry budget with a retriable error, and never retries a 400', async () => {
    fake.on(() => ({ status: 503, body: { message: 'Not Ready or Lagging' } }));
    await expect(engine().upsert(docs(1))).rejects.toMatchObject({
      code: 'search.engine_unavailable',
      retriable: true,
    });
    expect(fake.requests).toHaveLength(4);
    fake.reset();
    fake.on(() => ({ status: 400, body: { message: 'Bad JSON.' } }));
    await expect(engine().upsert(docs(1))).rejects.toMatchObject({ code: 'search.engine_rejected', retriable: false });
    expect(fake.requests).toHaveLength(1);
  });

  it('reports documents the import rejected', async () => {
    fake.on(() => ({
      status: 200,
      contentType: 'text/plain',
      body: '{"success":true}\n{"success":false,"error":"Field `price` must be an int64.","document":"{}"}',
    }));
    await expect(engine().upsert(docs(2))).rejects.toMatchObject({
      code: 'search.import_failed',
      details: { failed: [{ error: 'Field `price` must be an int64.', document: '{}' }] },
    });
  });

  it('reindexes into a new collection, swaps the alias, then drops the old one', async () => {
    fake.on((r) => (is('POST', '/collections')(r) ? { status: 201, body: JSON.parse(r.body) } : undefined));
    fake.on((r) => (r.path.endsWith('/documents/import') ? importOk(r) : undefined));
    fake.on((r) =>
      is('GET', '/aliases/products')(r)
        ? { status: 200, body: { name: 'products', collection_name: 'products_1' } }
        : undefined,
    );
    fake.on((r) => (is('PUT', '/aliases/products')(r) ? { status: 200, body: JSON.parse(r.body) } : undefined));
    fake.on((r) =>
      is('DELETE', '/collections/products_1')(r) ? { status: 200, body: { name: 'products_1' } } : undefined,
    );
    async function* batches() {
      yield docs(3);
      yield docs(2);
    }
    const progress: number[] = [];
    const result = await engine().reindex(batches(), (p) => progress.push(p.done));
    expect(result).toEqual({ count: 5, target: `products_${NOW}` });
    expect(progress).toEqual([3, 5]);
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /collections',
      `POST /collections/products_${NOW}/documents/import`,
      `POST /collections/products_${NOW}/documents/import`,
      'GET /aliases/products',
      'PUT /aliases/products',
      'DELETE /collections/products_1',
    ]);
    expect(JSON.parse(fake.requests[4]!.body)).toEqual({ collection_name: `products_${NOW}` });
  });

  it('drops the half-built collection and keeps the alias when a reindex fails', async () => {
    fake.on((r) => (is('POST', '/collections')(r) ? { status: 201, body: JSON.parse(r.body) } : undefined));
    fake.on((r) => (r.path.endsWith('/documents/import') ? { status: 400, body: { message: 'nope' } } : undefined));
    fake.on((r) => (r.method === 'DELETE' ? { status: 200, body: {} } : undefined));
    async function* batches() {
      yield docs(1);
    }
    await expect(engine().reindex(batches())).rejects.toMatchObject({ code: 'search.engine_rejected' });
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /collections',
      `POST /collections/products_${NOW}/documents/import`,
      `DELETE /collections/products_${NOW}`,
    ]);
  });

  it('builds a store-scoped search and maps the response', async () => {
    fake.on((r) =>
      is('GET', '/collections/products/documents/search')(r)
        ? {
            status: 200,
            body: {
              found: 1,
              page: 1,
              search_time_ms: 3,
              request_params: { per_page: 5 },
              hits: [
                {
                  document: demoDocuments('7')[0],
                  highlight: { name: { value: '<mark>Chicken</mark> Burger & <Fries>', matched_tokens: ['Chicken'] } },
                  text_match: 578730123365187,
                },
              ],
              facet_counts: [
                {
                  field_name: 'brand',
                  counts: [{ value: 'Grill House', count: 1, highlighted: 'Grill House' }],
                  stats: {},
                },
                { field_name: 'price', counts: [{ value: '950', count: 1 }], stats: { min: 950, max: 950, avg: 950 } },
              ],
            },
          }
        : undefined,
    );
    const request = parseSearchRequest({
      q: 'chiken',
      filter_by: 'price:<1000 || brand:=Grill House',
      facet_by: 'brand,price',
      sort_by: 'price:asc',
      per_page: '5',
    });
    const result = await engine().search('7', request);
    const query = fake.requests[0]!.query;
    expect(query).toMatchObject({
      q: 'chiken',
      query_by: 'name,brand,category,tags,description',
      query_by_weights: '8,4,3,3,1',
      num_typos: '2',
      min_len_1typo: '4',
      min_len_2typo: '7',
      prefix: 'true',
      filter_by: 'merchant_id:=`7` && published:=true && (price:<1000 || brand:=`Grill House`)',
      facet_by: 'brand,price',
      sort_by: 'price:asc',
      per_page: '5',
      page: '1',
    });
    expect(result.found).toBe(1);
    expect(result.searchTimeMs).toBe(3);
    expect(result.perPage).toBe(5);
    expect(result.hits[0]!.highlight.name).toBe('<mark>Chicken</mark> Burger &amp; &lt;Fries&gt;');
    expect(result.facets).toEqual([
      { field: 'brand', counts: [{ value: 'Grill House', count: 1 }] },
      { field: 'price', counts: [{ value: '950', count: 1 }], stats: { min: 950, max: 950 } },
    ]);
  });

  it('gets by id (404 → null) and deletes by id filter', async () => {
    fake.on((r) => (r.method === 'DELETE' ? { status: 200, body: { num_deleted: 2 } } : undefined));
    const e = engine();
    expect(await e.get('99')).toBeNull();
    await e.remove(['5', '6']);
    const del = fake.requests[1]!;
    expect(del).toMatchObject({ method: 'DELETE', path: '/collections/products/documents' });
    expect(del.query.filter_by).toBe('id:[`5`,`6`]');
  });

  it('hands out scoped keys only for its store', () => {
    const key = engine().scopedSearchKey('7', 60);
    const params = JSON.parse(Buffer.from(key, 'base64').toString('utf8').slice(48));
    expect(params).toEqual({ filter_by: 'merchant_id:=`7` && published:=true', expires_at: NOW / 1000 + 60 });
  });
});
