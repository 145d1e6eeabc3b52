import { request } from 'node:http';
import { createTestDatabase } from '@commerce/infra/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type SeededMerchant, seedMerchant, type TestApi } from './testing/fixtures.ts';

const db = await createTestDatabase();
let t: TestApi;
let m: SeededMerchant;
let url: string;

beforeAll(async () => {
  t = await createTestApi(db.sql);
  m = await seedMerchant(db.sql, t.sign, 'wire');
  ({ url } = await t.api.start());
});
afterAll(async () => {
  await t.api.stop();
  await db.drop();
});

describe('over a real port', () => {
  it('serves health, creates and reads an order over HTTP', async () => {
    expect((await fetch(`${url}/health`)).status).toBe(200);
    const headers = {
      authorization: `Bearer ${m.staff.cashier.token}`,
      'content-type': 'application/json',
      'idempotency-key': 'wire-1',
    };
    const body = JSON.stringify({
      channel: 'pos',
      branch_id: m.branchId,
      lines: [{ variant_id: m.products.burger.variantId, quantity: 1 }],
    });
    const created = await fetch(`${url}/orders`, { method: 'POST', headers, body });
    expect(created.status).toBe(201);
    expect(created.headers.get('content-type')).toContain('application/json');
    const order = (await created.json()) as { id: string; total: { amount: number } };
    expect(order.total.amount).toBe(1250);
    const replay = await fetch(`${url}/orders`, { method: 'POST', headers, body });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(((await replay.json()) as { id: string }).id).toBe(order.id);
    const read = await fetch(`${url}/orders/${order.id}`, { headers: { authorization: headers.authorization } });
    expect(((await read.json()) as { id: string }).id).toBe(order.id);
  });

  it('keeps idle keep-alive connections 65 s and says so (Keep-Alive: timeout=65)', async () => {
    const header = await new Promise<string | undefined>((resolve, reject) => {
      const req = request(`${url}/health`, { headers: { connection: 'keep-alive' } }, (res) => {
        res.resume();
        resolve(String(res.headers['keep-alive']));
      });
      req.on('error', reject);
      req.end();
    });
    expect(header).toBe('timeout=65');
  });

  it('refuses a body over the limit on the wire (413)', async () => {
    const r = await fetch(`${url}/orders`, {
      method: 'POST',
      headers: { authorization: `Bearer ${m.staff.cashier.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ channel: 'pos', branch_id: m.branchId, customer_note: 'x'.repeat(600 * 1024), lines: [] }),
    });
    expect(r.status).toBe(413);
  });

  it('stops: not ready first, then the port closes', async () => {
    const other = await createTestApi(db.sql);
    const { url: otherUrl } = await other.api.start();
    expect((await fetch(`${otherUrl}/ready`)).status).toBe(200);
    await other.api.stop();
    await expect(fetch(`${otherUrl}/health`)).rejects.toThrow();
    expect((await other.api.app.request('/ready')).status).toBe(503);
  });
});
