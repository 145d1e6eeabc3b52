import { createTestDatabase } from '@commerce/infra/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type SeededMerchant, seedMerchant, type TestApi } from '../testing/fixtures.ts';

const db = await createTestDatabase();
let t: TestApi;
let m: SeededMerchant;

beforeAll(async () => {
  t = await createTestApi(db.sql);
  m = await seedMerchant(db.sql, t.sign, 'cat');
});
afterAll(() => db.drop());

const owner = () => m.staff.owner.token;
const create = (body: unknown) => t.call('POST', '/products', { token: owner(), body });

describe('catalog', () => {
  it('creates a draft with variants, publishes, archives, republishes', async () => {
    const r = await create({
      name: 'Margherita',
      category: 'pizza',
      tags: ['veggie'],
      station_code: 'grill',
      variants: [
        { sku: 'PIZ-M-S', name: 'Small', price: { amount: 900, currency: 'USD' } },
        { sku: 'PIZ-M-L', name: 'Large', price: { amount: 1400, currency: 'USD' } },
      ],
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ status: 'draft', category: 'pizza', tags: ['veggie'], published_at: null });
    expect(r.body.variants.map((v: { sku: string; price: unknown }) => [v.sku, v.price])).toEqual([
      ['PIZ-M-S', { amount: 900, currency: 'USD' }],
      ['PIZ-M-L', { amount: 1400, currency: 'USD' }],
    ]);
    const id = r.body.id;
    const published = await t.call('POST', `/products/${id}/publish`, { token: owner() });
    expect(published.body.status).toBe('published');
    expect(published.body.published_at).not.toBeNull();
    const again = await t.call('POST', `/products/${id}/publish`, { token: owner() });
    expect(again.status).toBe(409);
    expect(again.body.error.details.current_status).toBe('published');
    const archived = await t.call('POST', `/products/${id}/archive`, { token: owner() });
    expect(archived.body).toMatchObject({ status: 'archived' });
    expect((await t.call('POST', `/products/${id}/archive`, { token: owner() })).status).toBe(409);
    expect((await t.call('POST', `/products/${id}/publish`, { token: owner() })).body.status).toBe('published');
  });

  it('refuses to publish without an active variant', async () => {
    const r = await create({ name: 'Empty' });
    const p = await t.call('POST', `/products/${r.body.id}/publish`, { token: owner() });
    expect(p.status).toBe(409);
  });

  it('keeps SKUs unique per merchant (409), but another merchant may reuse one', async () => {
    const dup = await create({
      name: 'Dup',
      variants: [{ sku: m.products.burger.sku, price: { amount: 1, currency: 'USD' } }],
    });
    expect(dup.status).toBe(409);
    expect(dup.body.error.message).toBe('a variant with this SKU already exists');
    const other = await seedMerchant(db.sql, t.sign, 'cat-two');
    const reuse = await t.call('POST', '/products', {
      token: other.staff.owner.token,
      body: { name: 'Same sku', variants: [{ sku: 'PIZ-M-S', price: { amount: 1, currency: 'USD' } }] },
    });
    expect(reuse.status).toBe(201);
  });

  it('updates product fields and variant prices; orders snapshot the price at creation', async () => {
    const { burger } = m.products;
    const patched = await t.call('PATCH', `/products/${burger.productId}`, {
      token: owner(),
      body: { description: 'Juicy', brand: null },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.description).toBe('Juicy');
    const before = await t.call('POST', '/orders', {
      token: m.staff.cashier.token,
      body: { channel: 'pos', branch_id: m.branchId, lines: [{ variant_id: burger.variantId, quantity: 1 }] },
    });
    const repriced = await t.call('PATCH', `/variants/${burger.variantId}`, {
      token: owner(),
      body: { price: { amount: 1500, currency: 'USD' } },
    });
    expect(repriced.body.price).toEqual({ amount: 1500, currency: 'USD' });
    const stored = await t.call('GET', `/orders/${before.body.id}`, { token: m.staff.cashier.token });
    expect(stored.body.lines[0].unit_price.amount).toBe(1250);
    const added = await t.call('POST', `/products/${burger.productId}/variants`, {
      token: owner(),
      body: { sku: 'CAT-BURGER-XL', name: 'XL', price: { amount: 1900, currency: 'USD' } },
    });
    expect(added.status).toBe(201);
    expect((await t.call('GET', `/variants/${added.body.id}`, { token: m.staff.cashier.token })).body.sku).toBe(
      'CAT-BURGER-XL',
    );
  });

  it('lists with filters and cursor pagination', async () => {
    for (let i = 0; i < 5; i++) await create({ name: `Soda ${i}`, category: 'drinks' });
    const page1 = await t.call('GET', '/products?category=drinks&limit=3', { token: m.staff.cashier.token });
    expect(page1.body.items).toHaveLength(3);
    const page2 = await t.call('GET', `/products?category=drinks&limit=3&cursor=${page1.body.next_cursor}`, {
      token: m.staff.cashier.token,
    });
    expect(page2.body.items).toHaveLength(2);
    expect(page2.body.next_cursor).toBeNull();
    const names = [...page1.body.items, ...page2.body.items].map((p: { name: string }) => p.name);
    expect(names).toEqual(['Soda 0', 'Soda 1', 'Soda 2', 'Soda 3', 'Soda 4']);
    const drafts = await t.call('GET', '/products?status=published&q=burg', { token: m.staff.cashier.token });
    expect(drafts.body.items.map((p: { id: string }) => p.id)).toEqual([m.products.burger.productId]);
    const bySku = await t.call('GET', `/products?sku=${m.products.beer.sku}`, { token: m.staff.cashier.token });
    expect(bySku.body.items.map((p: { id: string }) => p.id)).toEqual([m.products.beer.productId]);
  });
});
