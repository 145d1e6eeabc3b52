import { createTokenVerifier } from '@commerce/common';
import { createTestDatabase } from '@commerce/infra/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AUDIENCE,
  createTestApi,
  ISSUER,
  type SeededMerchant,
  seedMerchant,
  type TestApi,
} from '../testing/fixtures.ts';
import { type Authenticator, createAuthenticator } from './authenticator.ts';

const db = await createTestDatabase();
let t: TestApi;
let m: SeededMerchant;
let clock = 1_000_000;
let auth: Authenticator;

beforeAll(async () => {
  t = await createTestApi(db.sql);
  m = await seedMerchant(db.sql, t.sign, 'authn');
  const verify = await createTokenVerifier({ publicKeyPem: t.keys.publicKeyPem, issuer: ISSUER, audience: AUDIENCE });
  auth = createAuthenticator({ verify, sql: db.sql, recheckMs: 1000, now: () => clock });
});
afterAll(() => db.drop());

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));
const attempt = (token: string) =>
  auth.authenticate(`Bearer ${token}`).then(
    () => 'ok',
    (e: Error) => e.message,
  );

describe('authenticator liveness', () => {
  it('trusts a check for recheckMs, answers from it while refreshing, then follows the database', async () => {
    const token = m.staff.cashier.token;
    expect(await attempt(token)).toBe('ok');
    await db.sql`update staff_users set active = false where id = ${m.staff.cashier.id}`;
    clock += 500;
    expect(await attempt(token)).toBe('ok'); // still within recheckMs
    clock += 700;
    expect(await attempt(token)).toBe('ok'); // stale answer while the refresh runs
    await settle();
    clock += 10;
    expect(await attempt(token)).toBe('staff user inactive');
  });

  it('waits for the database when the last answer is older than twice recheckMs', async () => {
    const token = m.staff.kitchen.token;
    expect(await attempt(token)).toBe('ok');
    await db.sql`update staff_users set active = false where id = ${m.staff.kitchen.id}`;
    clock += 2500;
    expect(await attempt(token)).toBe('staff user inactive');
  });

  it('forget() makes the next request ask the database', async () => {
    const token = m.staff.owner.token;
    expect(await attempt(token)).toBe('ok');
    await db.sql`update staff_users set active = false where id = ${m.staff.owner.id}`;
    auth.forget('staff', m.merchantId, m.staff.owner.id);
    expect(await attempt(token)).toBe('staff user inactive');
  });
});
