import { createTokenSigner } from '@commerce/common';
import { createTestDatabase } from '@commerce/infra/testing';
import { importPKCS8, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AUDIENCE,
  createTestApi,
  es256Keys,
  ISSUER,
  type SeededMerchant,
  seedMerchant,
  type TestApi,
} from '../testing/fixtures.ts';

const db = await createTestDatabase();
let t: TestApi;
let m: SeededMerchant;

beforeAll(async () => {
  t = await createTestApi(db.sql);
  m = await seedMerchant(db.sql, t.sign, 'jwt');
});
afterAll(() => db.drop());

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const claims = () => ({
  sub: `staff:${m.staff.owner.id}`,
  mid: m.merchantId,
  roles: ['owner'],
  branches: [],
  stations: [],
  jti: 'x',
  iss: ISSUER,
  aud: AUDIENCE,
  iat: Math.floor(Date.now() / 1000),
  exp: Math.floor(Date.now() / 1000) + 600,
});
const me = (authorization?: string) =>
  t.call('GET', '/me', authorization === undefined ? {} : { headers: { authorization } });

describe('bearer token attacks → 401', () => {
  it('accepts the genuine token (control)', async () => {
    const r = await me(`Bearer ${m.staff.owner.token}`);
    expect(r.status).toBe(200);
    expect(r.body.merchant.id).toBe(m.merchantId);
  });

  it('missing or malformed Authorization', async () => {
    expect((await me()).status).toBe(401);
    expect((await me('Basic dXNlcjpwYXNz')).status).toBe(401);
    expect((await me('Bearer not-a-jwt')).status).toBe(401);
    expect((await me(`Bearer ${m.staff.owner.token}x`)).status).toBe(401);
  });

  it('alg: none', async () => {
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`;
    const r = await me(`Bearer ${unsigned}`);
    expect(r.status).toBe(401);
    expect(r.body.error.kind).toBe('unauthenticated');
  });

  it('signed with another ES256 key', async () => {
    const other = await es256Keys();
    const sign = await createTokenSigner({ privateKeyPem: other.privateKeyPem, issuer: ISSUER, audience: AUDIENCE });
    const forged = await sign({
      kind: 'staff',
      id: m.staff.owner.id,
      merchantId: m.merchantId,
      roles: ['owner'],
      ttlSeconds: 600,
    });
    expect((await me(`Bearer ${forged}`)).status).toBe(401);
  });

  it('HS256 with the public key as the secret (algorithm confusion)', async () => {
    const secret = new TextEncoder().encode(t.keys.publicKeyPem);
    const forged = await new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(secret);
    expect((await me(`Bearer ${forged}`)).status).toBe(401);
  });

  it('expired', async () => {
    const expired = await t.sign({
      kind: 'staff',
      id: m.staff.owner.id,
      merchantId: m.merchantId,
      roles: ['owner'],
      ttlSeconds: -60,
    });
    const r = await me(`Bearer ${expired}`);
    expect(r.status).toBe(401);
    expect(r.body.error.message).toContain('EXPIRED');
  });

  it('wrong audience or issuer', async () => {
    for (const [issuer, audience] of [
      [ISSUER, 'someone-else'],
      ['evil-issuer', AUDIENCE],
    ] as const) {
      const sign = await createTokenSigner({ privateKeyPem: t.keys.privateKeyPem, issuer, audience });
      const token = await sign({
        kind: 'staff',
        id: m.staff.owner.id,
        merchantId: m.merchantId,
        roles: ['owner'],
        ttlSeconds: 600,
      });
      expect((await me(`Bearer ${token}`)).status, `${issuer}/${audience}`).toBe(401);
    }
  });

  it('payload tampered after signing (role escalation)', async () => {
    const [header, , signature] = m.staff.cashier.token.split('.');
    const escalated = { ...claims(), sub: `staff:${m.staff.cashier.id}`, roles: ['owner'] };
    const r = await me(`Bearer ${header}.${b64(escalated)}.${signature}`);
    expect(r.status).toBe(401);
  });

  it('validly signed but with malformed claims', async () => {
    const key = await importPKCS8(t.keys.privateKeyPem, 'ES256');
    const { mid: _mid, ...noMerchant } = claims();
    const token = await new SignJWT(noMerchant).setProtectedHeader({ alg: 'ES256' }).sign(key);
    expect((await me(`Bearer ${token}`)).status).toBe(401);
  });

  it('a staff user that does not exist, or was deactivated', async () => {
    const ghost = await t.sign({
      kind: 'staff',
      id: '987654',
      merchantId: m.merchantId,
      roles: ['owner'],
      ttlSeconds: 600,
    });
    expect((await me(`Bearer ${ghost}`)).status).toBe(401);
    // a real user's id under another merchant id is not that user
    const swapped = await t.sign({
      kind: 'staff',
      id: m.staff.owner.id,
      merchantId: '987654',
      roles: ['owner'],
      ttlSeconds: 600,
    });
    expect((await me(`Bearer ${swapped}`)).status).toBe(401);
    await db.sql`update staff_users set active = false where id = ${m.staff.kitchen.id}`;
    expect((await me(`Bearer ${m.staff.kitchen.token}`)).status).toBe(401);
  });
});
