import { createTestDatabase } from '@commerce/infra/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type SeededMerchant, seedMerchant, stockOf, type TestApi } from '../testing/fixtures.ts';

const db = await createTestDatabase();
let t: TestApi;
let m: SeededMerchant;

beforeAll(async () => {
  t = await createTestApi(db.sql);
  m = await seedMerchant(db.sql, t.sign, 'pay');
});
afterAll(() => db.drop());

const cashier = () => m.staff.cashier.token;
const newOrder = async () =>
  (
    await t.call('POST', '/orders', {
      token: cashier(),
      body: {
        channel: 'online',
        branch_id: m.branchId,
        lines: [{ variant_id: m.products.burger.variantId, quantity: 2 }],
      },
    })
  ).body;

describe('payments (simulated provider)', () => {
  it('create → pending for the order total; succeed → order paid, reservation kept', async () => {
    const order = await newOrder();
    const p = await t.call('POST', '/payments', { token: cashier(), body: { order_id: order.id } });
    expect(p.status).toBe(201);
    expect(p.body).toMatchObject({
      status: 'pending',
      provider: 'simulated',
      amount: { amount: 2500, currency: 'USD' },
    });
    expect(p.body.provider_ref).toMatch(/^sim_/);
    const ok = await t.call('POST', `/payments/${p.body.id}/succeed`, { token: cashier() });
    expect(ok.body.status).toBe('succeeded');
    const paid = await t.call('GET', `/orders/${order.id}`, { token: cashier() });
    expect(paid.body.status).toBe('paid');
    expect((await stockOf(db.sql, m.products.burger.variantId, m.locationId)).reserved).toBe(2);
    // terminal status: no more changes
    for (const action of ['succeed', 'fail']) {
      const r = await t.call('POST', `/payments/${p.body.id}/${action}`, { token: cashier() });
      expect(r.status, action).toBe(409);
      expect(r.body.error.details.current_status).toBe('succeeded');
    }
    // a paid order takes no new payment
    expect((await t.call('POST', '/payments', { token: cashier(), body: { order_id: order.id } })).status).toBe(409);
    const listed = await t.call('GET', `/payments?order_id=${order.id}`, { token: cashier() });
    expect(listed.body.map((x: { id: string }) => x.id)).toEqual([p.body.id]);
  });

  it('fail → failed with a reason; the order stays created; a retry can succeed', async () => {
    const order = await newOrder();
    const p = await t.call('POST', '/payments', { token: cashier(), body: { order_id: order.id } });
    const failed = await t.call('POST', `/payments/${p.body.id}/fail`, {
      token: cashier(),
      body: { reason: 'card declined' },
    });
    expect(failed.body).toMatchObject({ status: 'failed', failure_reason: 'card declined' });
    expect((await t.call('GET', `/orders/${order.id}`, { token: cashier() })).body.status).toBe('created');
    expect((await t.call('POST', `/payments/${p.body.id}/succeed`, { token: cashier() })).status).toBe(409);
    const retry = await t.call('POST', '/payments', { token: cashier(), body: { order_id: order.id } });
    const noBody = await t.call('POST', `/payments/${retry.body.id}/fail`, { token: cashier() });
    expect(noBody.body.failure_reason).toBe('declined');
  });

  it('succeeding a payment of a cancelled order is refused and leaves the payment pending', async () => {
    const order = await newOrder();
    const p = await t.call('POST', '/payments', { token: cashier(), body: { order_id: order.id } });
    await t.call('POST', `/orders/${order.id}/cancel`, { token: cashier() });
    const r = await t.call('POST', `/payments/${p.body.id}/succeed`, { token: cashier() });
    expect(r.status).toBe(409);
    expect(r.body.error.details.current_status).toBe('cancelled');
    expect((await t.call('GET', `/payments/${p.body.id}`, { token: cashier() })).body.status).toBe('pending');
  });
});
