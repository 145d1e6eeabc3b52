import { createTestDatabase } from '@commerce/infra/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type SeededMerchant, seedMerchant, type TestApi } from '../testing/fixtures.ts';

const db = await createTestDatabase();
let t: TestApi;
let a: SeededMerchant;
let b: SeededMerchant;
/** merchant A's things that B must never reach (filled in beforeAll) */
const ids = { order: '', payment: '', terminal: '', product: '', ticket: '', item: '' };

beforeAll(async () => {
  t = await createTestApi(db.sql);
  a = await seedMerchant(db.sql, t.sign, 'shop-a');
  b = await seedMerchant(db.sql, t.sign, 'shop-b');
  const order = await t.call('POST', '/orders', {
    token: a.staff.cashier.token,
    body: { channel: 'pos', branch_id: a.branchId, lines: [{ variant_id: a.products.burger.variantId, quantity: 1 }] },
  });
  const payment = await t.call('POST', '/payments', {
    token: a.staff.cashier.token,
    body: { order_id: order.body.id },
  });
  const terminal = await t.call('POST', '/terminals', {
    token: a.staff.owner.token,
    body: { kind: 'pos', name: 'shop-a till', branch_id: a.branchId },
  });
  const product = await t.call('POST', '/products', { token: a.staff.owner.token, body: { name: 'shop-a secret' } });
  const [ticket] = await db.sql<{ id: string; item: string }[]>`
    select t.id, (select i.id from kitchen_ticket_items i where i.ticket_id = t.id limit 1) as item
    from kitchen_tickets t where t.order_id = ${order.body.id}`;
  Object.assign(ids, {
    order: order.body.id,
    payment: payment.body.id,
    terminal: terminal.body.terminal.id,
    product: product.body.id,
    ticket: ticket!.id,
    item: ticket!.item,
  });
});
afterAll(() => db.drop());

/** Everything of A's that could change, as one comparable value. */
async function snapshotOfA() {
  const mid = a.merchantId;
  return db.sql`
    select
      (select json_agg(json_build_object('id', id, 'status', status, 'updated', updated_at) order by id) from orders where merchant_id = ${mid}) as orders,
      (select json_agg(json_build_object('v', variant_id, 'l', location_id, 'on_hand', on_hand, 'reserved', reserved, 't', low_stock_threshold) order by id) from inventory_levels where merchant_id = ${mid}) as stock,
      (select count(*) from stock_movements where merchant_id = ${mid}) as movements,
      (select json_agg(json_build_object('id', id, 'status', status, 'updated', updated_at) order by id) from payments where merchant_id = ${mid}) as payments,
      (select json_agg(json_build_object('id', id, 'status', status, 'updated', updated_at) order by id) from kitchen_tickets where merchant_id = ${mid}) as tickets,
      (select json_agg(json_build_object('id', id, 'status', status) order by id) from kitchen_ticket_items where merchant_id = ${mid}) as items,
      (select json_agg(json_build_object('id', id, 'status', status, 'name', name, 'updated', updated_at) order by id) from products where merchant_id = ${mid}) as products,
      (select json_agg(json_build_object('id', id, 'price', price_amount, 'updated', updated_at) order by id) from product_variants where merchant_id = ${mid}) as variants,
      (select json_agg(json_build_object('id', id, 'revoked', revoked_at) order by id) from terminals where merchant_id = ${mid}) as terminals,
      (select count(*) from branches where merchant_id = ${mid}) as branches,
      (select count(*) from stations where merchant_id = ${mid}) as stations,
      (select count(*) from locations where merchant_id = ${mid}) as locations`;
}

type Expect = 'not_found' | 'excludes_a' | 'own_only';
interface Case {
  expect: Expect;
  calls: () => Array<{ path: string; body?: unknown }>;
}

const A = () => ({
  ...ids,
  branch: a.branchId,
  location: a.locationId,
  variant: a.products.burger.variantId,
  station: a.stations.grill,
});
const mixStock = (fields: (v: string, l: string) => unknown) => () => [
  { path: '', body: fields(A().variant, A().location) },
  { path: '', body: fields(A().variant, b.locationId) },
  { path: '', body: fields(b.products.burger.variantId, A().location) },
];

/** Every authenticated operation of the api, keyed as in /openapi.json. */
const CASES: Record<string, Case> = {
  'GET /me': { expect: 'own_only', calls: () => [{ path: '/me' }] },
  'GET /branches': { expect: 'excludes_a', calls: () => [{ path: '/branches' }] },
  'GET /branches/{id}': { expect: 'not_found', calls: () => [{ path: `/branches/${A().branch}` }] },
  'POST /branches': { expect: 'own_only', calls: () => [{ path: '/branches', body: { name: 'B two' } }] },
  'GET /stations': {
    expect: 'excludes_a',
    calls: () => [{ path: `/stations?branch_id=${A().branch}` }, { path: '/stations' }],
  },
  'POST /stations': {
    expect: 'not_found',
    calls: () => [{ path: '/stations', body: { branch_id: A().branch, code: 'fry', name: 'Fry' } }],
  },
  'POST /terminals': {
    expect: 'not_found',
    calls: () => [{ path: '/terminals', body: { kind: 'pos', name: 'x', branch_id: A().branch } }],
  },
  'GET /terminals': { expect: 'excludes_a', calls: () => [{ path: '/terminals?include_revoked=true' }] },
  'GET /terminals/{id}': { expect: 'not_found', calls: () => [{ path: `/terminals/${A().terminal}` }] },
  'POST /terminals/{id}/revoke': { expect: 'not_found', calls: () => [{ path: `/terminals/${A().terminal}/revoke` }] },
  'POST /products': { expect: 'own_only', calls: () => [{ path: '/products', body: { name: 'B thing' } }] },
  'GET /products': {
    expect: 'excludes_a',
    calls: () => [{ path: '/products?limit=100' }, { path: `/products?sku=${a.products.burger.sku}` }],
  },
  'GET /products/{id}': { expect: 'not_found', calls: () => [{ path: `/products/${A().product}` }] },
  'PATCH /products/{id}': {
    expect: 'not_found',
    calls: () => [{ path: `/products/${A().product}`, body: { name: 'pwned' } }],
  },
  'POST /products/{id}/publish': { expect: 'not_found', calls: () => [{ path: `/products/${A().product}/publish` }] },
  'POST /products/{id}/archive': {
    expect: 'not_found',
    calls: () => [{ path: `/products/${a.products.beer.productId}/archive` }],
  },
  'POST /products/{id}/variants': {
    expect: 'not_found',
    calls: () => [
      { path: `/products/${A().product}/variants`, body: { sku: 'B-IN-A', price: { amount: 1, currency: 'USD' } } },
    ],
  },
  'GET /variants/{id}': { expect: 'not_found', calls: () => [{ path: `/variants/${A().variant}` }] },
  'PATCH /variants/{id}': {
    expect: 'not_found',
    calls: () => [{ path: `/variants/${A().variant}`, body: { price: { amount: 1, currency: 'USD' } } }],
  },
  'GET /locations': { expect: 'excludes_a', calls: () => [{ path: '/locations' }] },
  'POST /locations': {
    expect: 'not_found',
    calls: () => [{ path: '/locations', body: { name: 'x', branch_id: A().branch } }],
  },
  'POST /inventory/receive': {
    expect: 'not_found',
    calls: mixStock((v, l) => ({ variant_id: v, location_id: l, quantity: 5 })),
  },
  'POST /inventory/adjust': {
    expect: 'not_found',
    calls: mixStock((v, l) => ({ variant_id: v, location_id: l, delta: -1, reason: 'damage' })),
  },
  'POST /inventory/count': {
    expect: 'not_found',
    calls: mixStock((v, l) => ({ variant_id: v, location_id: l, counted: 0 })),
  },
  'POST /inventory/transfer': {
    expect: 'not_found',
    calls: () => [
      {
        path: '',
        body: { variant_id: A().variant, from_location_id: A().location, to_location_id: a.backroomId, quantity: 1 },
      },
      {
        path: '',
        body: { variant_id: A().variant, from_location_id: A().location, to_location_id: b.locationId, quantity: 1 },
      },
      {
        path: '',
        body: {
          variant_id: b.products.burger.variantId,
          from_location_id: b.locationId,
          to_location_id: A().location,
          quantity: 1,
        },
      },
    ],
  },
  'PUT /inventory/threshold': {
    expect: 'not_found',
    calls: () => [
      { path: '', body: { variant_id: A().variant, threshold: 7 } },
      { path: '', body: { variant_id: A().variant, location_id: A().location, threshold: 7 } },
      { path: '', body: { variant_id: b.products.burger.variantId, location_id: A().location, threshold: 7 } },
    ],
  },
  'GET /inventory/levels': {
    expect: 'excludes_a',
    calls: () => [
      { path: `/inventory/levels?variant_id=${A().variant}` },
      { path: `/inventory/levels?location_id=${A().location}` },
      { path: '/inventory/levels?limit=100' },
    ],
  },
  'GET /inventory/stock/{variant_id}': {
    expect: 'not_found',
    calls: () => [{ path: `/inventory/stock/${A().variant}` }],
  },
  'GET /inventory/movements': {
    expect: 'excludes_a',
    calls: () => [{ path: `/inventory/movements?order_id=${A().order}` }, { path: '/inventory/movements?limit=100' }],
  },
  'POST /orders': {
    expect: 'not_found',
    calls: () => [
      {
        path: '',
        body: {
          channel: 'pos',
          branch_id: A().branch,
          lines: [{ variant_id: b.products.burger.variantId, quantity: 1 }],
        },
      },
      { path: '', body: { channel: 'pos', branch_id: b.branchId, lines: [{ variant_id: A().variant, quantity: 1 }] } },
      {
        path: '',
        body: {
          channel: 'pos',
          branch_id: b.branchId,
          location_id: A().location,
          lines: [{ variant_id: b.products.burger.variantId, quantity: 1 }],
        },
      },
    ],
  },
  'GET /orders': {
    expect: 'excludes_a',
    calls: () => [{ path: '/orders?limit=100' }, { path: `/orders?branch_id=${A().branch}` }],
  },
  'GET /orders/{id}': { expect: 'not_found', calls: () => [{ path: `/orders/${A().order}` }] },
  'POST /orders/{id}/pay': { expect: 'not_found', calls: () => [{ path: `/orders/${A().order}/pay` }] },
  'POST /orders/{id}/cancel': { expect: 'not_found', calls: () => [{ path: `/orders/${A().order}/cancel` }] },
  'POST /orders/{id}/fulfil': { expect: 'not_found', calls: () => [{ path: `/orders/${A().order}/fulfil` }] },
  'POST /orders/{id}/complete': { expect: 'not_found', calls: () => [{ path: `/orders/${A().order}/complete` }] },
  'GET /kitchen/tickets': {
    expect: 'excludes_a',
    calls: () => [
      { path: `/kitchen/tickets?station_id=${A().station}` },
      { path: `/kitchen/tickets?branch_id=${A().branch}` },
      { path: '/kitchen/tickets' },
    ],
  },
  'GET /kitchen/tickets/{id}': { expect: 'not_found', calls: () => [{ path: `/kitchen/tickets/${A().ticket}` }] },
  'POST /kitchen/tickets/{id}/bump': {
    expect: 'not_found',
    calls: () => [{ path: `/kitchen/tickets/${A().ticket}/bump` }],
  },
  'POST /kitchen/tickets/{id}/recall': {
    expect: 'not_found',
    calls: () => [{ path: `/kitchen/tickets/${A().ticket}/recall` }],
  },
  'POST /kitchen/items/{id}/advance': {
    expect: 'not_found',
    calls: () => [{ path: `/kitchen/items/${A().item}/advance` }],
  },
  'PATCH /kitchen/items/{id}': {
    expect: 'not_found',
    calls: () => [{ path: `/kitchen/items/${A().item}`, body: { status: 'ready' } }],
  },
  'POST /payments': { expect: 'not_found', calls: () => [{ path: '/payments', body: { order_id: A().order } }] },
  'GET /payments': { expect: 'not_found', calls: () => [{ path: `/payments?order_id=${A().order}` }] },
  'GET /payments/{id}': { expect: 'not_found', calls: () => [{ path: `/payments/${A().payment}` }] },
  'POST /payments/{id}/succeed': { expect: 'not_found', calls: () => [{ path: `/payments/${A().payment}/succeed` }] },
  'POST /payments/{id}/fail': {
    expect: 'not_found',
    calls: () => [{ path: `/payments/${A().payment}/fail`, body: {} }],
  },
};

const PUBLIC = new Set(['GET /health', 'GET /ready', 'GET /metrics', 'POST /auth/login']);

describe('tenant isolation', () => {
  it('has a case for every authenticated operation in the OpenAPI document', async () => {
    const doc = (await t.call('GET', '/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const uncovered = operations.filter((op) => !PUBLIC.has(op) && !CASES[op]);
    expect(uncovered).toEqual([]);
    expect(Object.keys(CASES).filter((op) => !operations.includes(op))).toEqual([]);
  });

  it('merchant B cannot read, change or order merchant A’s things through any endpoint', async () => {
    const before = await snapshotOfA();
    for (const [op, c] of Object.entries(CASES)) {
      const [method, template] = op.split(' ') as [string, string];
      for (const call of c.calls()) {
        const path = call.path || template;
        const r = await t.call(method, path, {
          token: b.staff.owner.token,
          ...(call.body !== undefined ? { body: call.body } : {}),
        });
        const where = `${op} ${path} ${JSON.stringify(call.body ?? '')}`;
        if (c.expect === 'not_found') {
          expect(r.status, where).toBe(404);
        } else {
          expect(r.status, where).toBeLessThan(300);
          const text = JSON.stringify(r.body);
          expect(text, where).not.toContain('shop-a');
          const found = [...text.matchAll(/"(?:id|[a-z_]+_id)":"(\d+)"/g)].map((x) => x[1]);
          if (c.expect === 'excludes_a') {
            // ids of A that B could not have of its own (sequences are shared, so compare exact things)
            for (const id of [A().order, A().payment, A().terminal, A().product, A().ticket]) {
              expect(found.includes(id) && !(await ownedByB(id)), `${where} leaked ${id}`).toBe(false);
            }
          }
        }
      }
    }
    expect(await snapshotOfA()).toEqual(before);
  });
});

/** True when an id also names one of B's rows (ids are per table, so a number can repeat). */
async function ownedByB(id: string): Promise<boolean> {
  const [row] = await db.sql<{ n: number }[]>`
    select (select count(*) from orders where merchant_id = ${b.merchantId} and id = ${id})
         + (select count(*) from payments where merchant_id = ${b.merchantId} and id = ${id})
         + (select count(*) from terminals where merchant_id = ${b.merchantId} and id = ${id})
         + (select count(*) from products where merchant_id = ${b.merchantId} and id = ${id})
         + (select count(*) from kitchen_tickets where merchant_id = ${b.merchantId} and id = ${id}) as n`;
  return Number(row!.n) > 0;
}
