import { createTestDatabase } from '@commerce/infra/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type SeededMerchant, seedMerchant, stockOf, type TestApi } from '../testing/fixtures.ts';

const db = await createTestDatabase();
let t: TestApi;
let m: SeededMerchant;

beforeAll(async () => {
  t = await createTestApi(db.sql);
  m = await seedMerchant(db.sql, t.sign, 'rbac');
});
afterAll(() => db.drop());

type Role = 'owner' | 'manager' | 'cashier' | 'kitchen' | 'stock_clerk';

describe('RBAC', () => {
  it('a kitchen token cannot adjust stock (403) and nothing changes', async () => {
    const before = await stockOf(db.sql, m.products.mug.variantId, m.locationId);
    const r = await t.call('POST', '/inventory/adjust', {
      token: m.staff.kitchen.token,
      body: { variant_id: m.products.mug.variantId, location_id: m.locationId, delta: -3, reason: 'damage' },
    });
    expect(r.status).toBe(403);
    expect(r.body.error.kind).toBe('forbidden');
    expect(await stockOf(db.sql, m.products.mug.variantId, m.locationId)).toEqual(before);
  });

  // who may do what, written out by hand (not derived from the policy table it checks)
  const matrix: Array<{ call: () => [string, string, unknown?]; allowed: Role[] }> = [
    {
      call: () => [
        'POST',
        '/inventory/receive',
        { variant_id: m.products.mug.variantId, location_id: m.locationId, quantity: 1 },
      ],
      allowed: ['owner', 'manager', 'stock_clerk'],
    },
    {
      call: () => [
        'POST',
        '/orders',
        { channel: 'pos', branch_id: m.branchId, lines: [{ variant_id: m.products.beer.variantId, quantity: 1 }] },
      ],
      allowed: ['owner', 'manager', 'cashier'],
    },
    { call: () => ['GET', '/orders'], allowed: ['owner', 'manager', 'cashier', 'kitchen'] },
    { call: () => ['GET', '/kitchen/tickets'], allowed: ['owner', 'manager', 'cashier', 'kitchen'] },
    { call: () => ['GET', '/inventory/levels'], allowed: ['owner', 'manager', 'cashier', 'kitchen', 'stock_clerk'] },
    {
      call: () => ['POST', '/products', { name: 'Fries', variants: [] }],
      allowed: ['owner', 'manager'],
    },
    { call: () => ['GET', '/products'], allowed: ['owner', 'manager', 'cashier', 'kitchen', 'stock_clerk'] },
    { call: () => ['POST', '/terminals', { kind: 'stock_feed', name: 'Feed' }], allowed: ['owner', 'manager'] },
    { call: () => ['GET', '/terminals'], allowed: ['owner', 'manager'] },
    { call: () => ['POST', '/locations', { name: 'Shed' }], allowed: ['owner', 'manager', 'stock_clerk'] },
    { call: () => ['POST', '/branches', { name: 'Second' }], allowed: ['owner', 'manager'] },
  ];

  it('follows the role matrix', async () => {
    for (const { call, allowed } of matrix) {
      for (const role of ['owner', 'manager', 'cashier', 'kitchen', 'stock_clerk'] as const) {
        const [method, path, body] = call();
        const r = await t.call(method, path, { token: m.staff[role].token, ...(body ? { body } : {}) });
        const expected = allowed.includes(role) ? 'allowed' : 'forbidden';
        const got = r.status === 403 ? 'forbidden' : r.status < 300 ? 'allowed' : `status ${r.status}`;
        expect(got, `${role} ${method} ${path}`).toBe(expected);
      }
    }
  });

  it('a device token can do its kind’s work but never pair devices', async () => {
    const paired = await t.call('POST', '/terminals', {
      token: m.staff.manager.token,
      body: { kind: 'kds', name: 'Grill 1', branch_id: m.branchId, station_ids: [m.stations.grill] },
    });
    expect(paired.status).toBe(201);
    const kds = paired.body.token;
    expect((await t.call('GET', '/kitchen/tickets', { token: kds })).status).toBe(200);
    const order = await t.call('POST', '/orders', {
      token: kds,
      body: { channel: 'pos', branch_id: m.branchId, lines: [{ variant_id: m.products.beer.variantId, quantity: 1 }] },
    });
    expect(order.status).toBe(403);
    // even a device token that claims manager cannot mint device tokens
    const managerDevice = await t.sign({
      kind: 'terminal',
      id: paired.body.terminal.id,
      merchantId: m.merchantId,
      roles: ['terminal', 'manager'],
      ttlSeconds: 600,
    });
    const pair = await t.call('POST', '/terminals', { token: managerDevice, body: { kind: 'stock_feed', name: 'X' } });
    expect(pair.status).toBe(403);
  });
});
