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

  it('a branch-scoped token works in its branches only', async () => {
    const [b2] = await db.sql<{ id: string }[]>`
      insert into branches (merchant_id, name) values (${m.merchantId}, 'rbac second') returning id`;
    const [loc2] = await db.sql<{ id: string }[]>`
      insert into locations (merchant_id, branch_id, name) values (${m.merchantId}, ${b2!.id}, 'rbac second store') returning id`;
    await db.sql`insert into stations (merchant_id, branch_id, code, name) values (${m.merchantId}, ${b2!.id}, 'grill', 'grill 2')`;
    await db.sql`insert into inventory_levels (merchant_id, variant_id, location_id, on_hand)
                 values (${m.merchantId}, ${m.products.burger.variantId}, ${loc2!.id}, 10)`;
    const scoped = await t.sign({
      kind: 'staff',
      id: m.staff.cashier.id,
      merchantId: m.merchantId,
      roles: ['cashier'],
      branchIds: [m.branchId],
      ttlSeconds: 600,
    });
    const lines = [{ variant_id: m.products.burger.variantId, quantity: 1 }];
    const other = await t.call('POST', '/orders', {
      token: m.staff.manager.token,
      body: { channel: 'pos', branch_id: b2!.id, lines },
    });
    expect(other.status).toBe(201);
    const mine = await t.call('POST', '/orders', {
      token: scoped,
      body: { channel: 'pos', branch_id: m.branchId, lines },
    });
    expect(mine.status).toBe(201);

    expect(
      (await t.call('POST', '/orders', { token: scoped, body: { channel: 'pos', branch_id: b2!.id, lines } })).status,
    ).toBe(404);
    const foreignStock = await t.call('POST', '/orders', {
      token: scoped,
      body: { channel: 'pos', branch_id: m.branchId, location_id: loc2!.id, lines },
    });
    expect(foreignStock.status).toBe(404);
    expect((await t.call('GET', `/orders/${other.body.id}`, { token: scoped })).status).toBe(404);
    expect((await t.call('POST', `/orders/${other.body.id}/cancel`, { token: scoped })).status).toBe(404);
    const listed = await t.call('GET', '/orders?limit=100', { token: scoped });
    expect(listed.body.items.map((o: { branch_id: string }) => o.branch_id)).not.toContain(b2!.id);
    expect(listed.body.items.map((o: { id: string }) => o.id)).toContain(mine.body.id);
    const tickets = await t.call('GET', '/kitchen/tickets', { token: scoped });
    expect(tickets.body.every((x: { branch_id: string }) => x.branch_id === m.branchId)).toBe(true);
    const branches = await t.call('GET', '/branches', { token: scoped });
    expect(branches.body.map((b: { id: string }) => b.id)).toEqual([m.branchId]);
  });
});
