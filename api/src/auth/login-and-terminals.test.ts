import { createTestDatabase } from '@commerce/infra/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type SeededMerchant, seedMerchant, type TestApi } from '../testing/fixtures.ts';
import { hashPin, verifyPin } from './pin-hash.ts';
import { isTerminalRevoked } from './terminal-service.ts';

const db = await createTestDatabase();
let t: TestApi;
let m: SeededMerchant;

beforeAll(async () => {
  t = await createTestApi(db.sql, {
    config: {
      API_VALIDATE_RESPONSES: true,
      AUTH_PRINCIPAL_RECHECK_MS: 60_000,
      HUB_PUBLIC_URL: 'ws://hub.test/ws',
      HUB_PUBLIC_KEY: 'hub-public-key',
    },
  });
  m = await seedMerchant(db.sql, t.sign, 'signin');
  await db.sql`update staff_users set pin_hash = ${await hashPin('4321')} where id = ${m.staff.cashier.id}`;
});
afterAll(() => db.drop());

const login = (email: string, pin: string, merchant = m.slug) =>
  t.call('POST', '/auth/login', { body: { merchant, email, pin } });

describe('PIN hashing', () => {
  it('verifies the right PIN only', async () => {
    const hash = await hashPin('2468');
    expect(hash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(await verifyPin('2468', hash)).toBe(true);
    expect(await verifyPin('2469', hash)).toBe(false);
    expect(await verifyPin('2468', 'garbage')).toBe(false);
  });
});

describe('staff sign-in', () => {
  it('merchant slug + email + PIN → a staff token that works', async () => {
    const r = await login('CASHIER@signin.test', '4321');
    expect(r.status).toBe(200);
    expect(r.body.staff).toMatchObject({ id: m.staff.cashier.id, roles: ['cashier'] });
    expect(r.body.merchant.slug).toBe(m.slug);
    const me = await t.call('GET', '/me', { token: r.body.token });
    expect(me.status).toBe(200);
    expect(me.body.principal).toMatchObject({ kind: 'staff', id: m.staff.cashier.id, roles: ['cashier'] });
  });

  it('wrong PIN, unknown email, unknown merchant, user without PIN: the same 401', async () => {
    for (const [email, pin, merchant] of [
      ['cashier@signin.test', '0000', m.slug],
      ['nobody@signin.test', '4321', m.slug],
      ['cashier@signin.test', '4321', 'no-such-shop'],
      ['owner@signin.test', '4321', m.slug],
    ] as const) {
      const r = await login(email, pin, merchant);
      expect(r.status, `${email} ${merchant}`).toBe(401);
      expect(r.body.error.message).toBe('unknown merchant, email or wrong PIN');
      expect(r.body.token).toBeUndefined();
    }
  });

  it('locks after five wrong PINs (429), even for the right one', async () => {
    await db.sql`update staff_users set pin_hash = ${await hashPin('1111')} where id = ${m.staff.kitchen.id}`;
    for (let i = 0; i < 5; i++) expect((await login('kitchen@signin.test', '9999')).status).toBe(401);
    const locked = await login('kitchen@signin.test', '1111');
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(800);
  });

  it('rejects a PIN that is not 4..12 digits with 400', async () => {
    const r = await login('cashier@signin.test', '12ab');
    expect(r.status).toBe(400);
    expect(r.body.error.issues[0].path).toBe('body.pin');
  });
});

describe('device pairing', () => {
  it('pairs a KDS for one station: device token, terminal id, hub URL and key', async () => {
    const r = await t.call('POST', '/terminals', {
      token: m.staff.manager.token,
      body: { kind: 'kds', name: 'Grill', branch_id: m.branchId, station_ids: [m.stations.grill] },
    });
    expect(r.status).toBe(201);
    expect(r.body.terminal).toMatchObject({
      kind: 'kds',
      branch_id: m.branchId,
      station_ids: [m.stations.grill],
      paired_by: m.staff.manager.id,
    });
    expect(r.body.roles).toEqual(['terminal', 'kitchen']);
    expect(r.body.hub).toEqual({ url: 'ws://hub.test/ws', public_key: 'hub-public-key' });
    const me = await t.call('GET', '/me', { token: r.body.token });
    expect(me.body.principal).toMatchObject({
      kind: 'terminal',
      id: r.body.terminal.id,
      branch_ids: [m.branchId],
      station_ids: [m.stations.grill],
    });
    // a grill screen sees grill tickets only
    await t.call('POST', '/orders', {
      token: m.staff.cashier.token,
      body: {
        channel: 'pos',
        branch_id: m.branchId,
        lines: [
          { variant_id: m.products.burger.variantId, quantity: 1 },
          { variant_id: m.products.beer.variantId, quantity: 1 },
        ],
      },
    });
    const tickets = await t.call('GET', '/kitchen/tickets', { token: r.body.token });
    expect(tickets.body.length).toBeGreaterThan(0);
    expect(new Set(tickets.body.map((x: { station_id: string }) => x.station_id))).toEqual(new Set([m.stations.grill]));
    const bar = await t.call('GET', `/kitchen/tickets?station_id=${m.stations.bar}`, { token: r.body.token });
    expect(bar.body).toEqual([]);
  });

  it('refuses a POS without branch (400) and a station of no branch of ours (404)', async () => {
    const noBranch = await t.call('POST', '/terminals', {
      token: m.staff.owner.token,
      body: { kind: 'pos', name: 'Till' },
    });
    expect(noBranch.status).toBe(400);
    const badStation = await t.call('POST', '/terminals', {
      token: m.staff.owner.token,
      body: { kind: 'kds', name: 'Bad', branch_id: m.branchId, station_ids: ['99999'] },
    });
    expect(badStation.status).toBe(404);
  });

  it('revoking a terminal ends its token and the hub check says revoked', async () => {
    const paired = await t.call('POST', '/terminals', {
      token: m.staff.owner.token,
      body: { kind: 'pos', name: 'Till 2', branch_id: m.branchId },
    });
    const token = paired.body.token;
    const id = paired.body.terminal.id;
    expect((await t.call('GET', '/orders', { token })).status).toBe(200);
    expect(await isTerminalRevoked(db.sql, id)).toBe(false);
    expect(await isTerminalRevoked(db.sql, id, m.merchantId)).toBe(false);
    expect(await isTerminalRevoked(db.sql, id, '424242')).toBe(true);

    const revoked = await t.call('POST', `/terminals/${id}/revoke`, { token: m.staff.owner.token });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revoked_at).not.toBeNull();
    // the api caches liveness for 60 s here, but revoking through it forgets the entry at once
    const after = await t.call('GET', '/orders', { token });
    expect(after.status).toBe(401);
    expect(after.body.error.message).toBe('terminal revoked');
    expect(await isTerminalRevoked(db.sql, id)).toBe(true);
    expect(await isTerminalRevoked(db.sql, '99999')).toBe(true);

    const listed = await t.call('GET', '/terminals', { token: m.staff.owner.token });
    expect(listed.body.map((x: { id: string }) => x.id)).not.toContain(id);
    const all = await t.call('GET', '/terminals?include_revoked=true', { token: m.staff.owner.token });
    expect(all.body.map((x: { id: string }) => x.id)).toContain(id);
  });
});
