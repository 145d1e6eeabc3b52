import type { ChangeEvent, Row } from '@commerce/common';
import type { RevocationEntity } from '@commerce/hub/bus';
import { id } from './entities.ts';

/**
 * A terminal whose `revoked_at` became set: every hub instance must end its sessions now. The api
 * revokes with `update terminals set revoked_at = coalesce(revoked_at, now())`. `terminals` keeps
 * the default replica identity, so an update usually carries no before-image: any update leaving
 * revoked_at set counts (revoking twice is harmless; a revoked terminal has no session left to end),
 * unless the before-image shows it was already set. Returns null for everything else.
 */
export function terminalRevocation(change: ChangeEvent, row: Row): RevocationEntity | null {
  if (change.op !== 'u' && change.op !== 'c') return null;
  if (row.revoked_at === null || row.revoked_at === undefined) return null;
  if (change.before && 'revoked_at' in change.before && change.before.revoked_at !== null) return null;
  return {
    subject: { kind: 'terminal', id: id(row.id) },
    revokedAt: typeof row.revoked_at === 'string' ? row.revoked_at : null,
  };
}
