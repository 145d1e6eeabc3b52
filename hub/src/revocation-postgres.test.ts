import { createTestDatabase } from '@commerce/infra/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresRevocationCheck } from './revocation-postgres.ts';

const db = await createTestDatabase();
afterAll(() => db.drop());

const principal = (kind: 'staff' | 'terminal', id: string, merchantId: string) => ({
  kind,
  id,
  merchantId,
  roles: ['terminal' as const],
  branchIds: [],
  stationIds: [],
  tokenId: 't',
  expiresAt: Date.now() + 60_000,
});

describe('Postgres revocation check', () => {
  it('follows terminals.revoked_at and staff_users.active, and refuses ids of another merchant', async () => {
    const [a] = await db.sql<{ id: string }[]>`insert into merchants (slug, name) values ('rev-a', 'A') returning id`;
    const [b] = await db.sql<{ id: string }[]>`insert into merchants (slug, name) values ('rev-b', 'B') returning id`;
    const [t] = await db.sql<{ id: string }[]>`
      insert into terminals (merchant_id, kind, name) values (${a!.id}, 'kds', 'Grill') returning id`;
    const [s] = await db.sql<{ id: string }[]>`
      insert into staff_users (merchant_id, email, name, roles) values (${a!.id}, 'x@a.test', 'X', '{cashier}') returning id`;
    const check = createPostgresRevocationCheck(db.sql);

    expect(await check.isRevoked(principal('terminal', t!.id, a!.id))).toBe(false);
    expect(await check.isRevoked(principal('terminal', t!.id, b!.id))).toBe(true);
    expect(await check.isRevoked(principal('staff', s!.id, a!.id))).toBe(false);

    await db.sql`update terminals set revoked_at = now() where id = ${t!.id}`;
    await db.sql`update staff_users set active = false where id = ${s!.id}`;
    expect(await check.isRevoked(principal('terminal', t!.id, a!.id))).toBe(true);
    expect(await check.isRevoked(principal('staff', s!.id, a!.id))).toBe(true);
  });
});
