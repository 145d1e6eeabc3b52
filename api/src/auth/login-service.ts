import type { Role, TokenSigner } from '@commerce/common';
import { ApiError, unauthenticated } from '../errors.ts';
import type { Db } from '../http/db.ts';
import type { LoginResult } from './auth-schemas.ts';
import type { LoginThrottle } from './login-throttle.ts';
import { DUMMY_PIN_HASH, verifyPin } from './pin-hash.ts';

interface StaffRow {
  id: string;
  merchant_id: string;
  name: string;
  email: string;
  roles: Role[];
  branch_ids: string[];
  pin_hash: string | null;
  active: boolean;
  slug: string;
  merchant_name: string;
  currency: string;
}

export interface LoginDeps {
  db: Db;
  signToken: TokenSigner;
  throttle: LoginThrottle;
  ttlSeconds: number;
}

/** Staff sign-in with merchant slug + email + PIN; one answer for every kind of miss. */
export async function login(
  deps: LoginDeps,
  input: { merchant: string; email: string; pin: string },
): Promise<LoginResult> {
  const throttleKey = `${input.merchant}\n${input.email.toLowerCase()}`;
  const wait = deps.throttle.retryAfterMs(throttleKey);
  if (wait > 0) {
    const seconds = Math.ceil(wait / 1000);
    throw new ApiError('rate_limited', 'auth.locked', `too many failed sign-ins; try again in ${seconds} s`, {
      details: { retry_after_s: seconds },
    });
  }
  const [row] = await deps.db<StaffRow[]>`
    select s.id, s.merchant_id, s.name, s.email, s.roles::text[] as roles, s.branch_ids::text[] as branch_ids,
           s.pin_hash, s.active, m.slug, m.name as merchant_name, m.currency
    from staff_users s join merchants m on m.id = s.merchant_id
    where m.slug = ${input.merchant} and lower(s.email) = lower(${input.email})
    order by s.id limit 1`;
  const ok = await verifyPin(input.pin, row?.pin_hash ?? DUMMY_PIN_HASH);
  if (!row?.pin_hash || !row.active || !ok) {
    deps.throttle.fail(throttleKey);
    throw unauthenticated('auth.invalid_credentials', 'unknown merchant, email or wrong PIN');
  }
  deps.throttle.succeed(throttleKey);
  const token = await deps.signToken({
    kind: 'staff',
    id: row.id,
    merchantId: row.merchant_id,
    roles: row.roles,
    branchIds: row.branch_ids,
    ttlSeconds: deps.ttlSeconds,
  });
  return {
    token,
    token_type: 'Bearer',
    expires_at: new Date(Date.now() + deps.ttlSeconds * 1000).toISOString(),
    staff: { id: row.id, name: row.name, email: row.email, roles: row.roles, branch_ids: row.branch_ids },
    merchant: { id: row.merchant_id, slug: row.slug, name: row.merchant_name, currency: row.currency },
  };
}
