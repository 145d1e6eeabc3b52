import type { Sql } from 'postgres';
import type { RevocationCheck } from './revocation.ts';

/**
 * Revocation read from the api's own table when the hub runs as its own process: a terminal whose
 * `terminals.revoked_at` is set (or that no longer exists for that merchant) is revoked, and so is
 * a staff member marked inactive. Sessions are re-checked every HUB_REVOCATION_RECHECK_S.
 */
export function createPostgresRevocationCheck(sql: Sql): RevocationCheck {
  return {
    async isRevoked(principal) {
      if (principal.kind === 'terminal') {
        const [row] = await sql<{ revoked: boolean }[]>`
          select revoked_at is not null as revoked from terminals
          where id = ${principal.id} and merchant_id = ${principal.merchantId}`;
        return row ? row.revoked : true;
      }
      const [row] = await sql<{ active: boolean }[]>`
        select active from staff_users where id = ${principal.id} and merchant_id = ${principal.merchantId}`;
      return row ? !row.active : true;
    },
  };
}
