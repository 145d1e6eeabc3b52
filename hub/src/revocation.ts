import type { Principal } from '@commerce/common';

/**
 * How the hub learns that a terminal or token lost access. The api owns `terminals.revoked_at`; the
 * host passes a check (consulted at handshake and re-checked for open sessions periodically) and
 * may also push revocations to `hub.revoke(...)` for immediate effect.
 */
export interface RevocationCheck {
  isRevoked(principal: Principal): boolean | Promise<boolean>;
}

export interface RevocationMatch {
  /** a terminal or staff id, with its kind */
  subject?: { kind: Principal['kind']; id: string };
  /** one token (its `jti`) */
  tokenId?: string;
}

export function matchesRevocation(principal: Principal, match: RevocationMatch): boolean {
  if (match.tokenId !== undefined && match.tokenId === principal.tokenId) return true;
  return match.subject !== undefined && match.subject.kind === principal.kind && match.subject.id === principal.id;
}

/** An in-memory revocation list: enough for the embedded mode and tests. */
export function createRevocationList(): RevocationCheck & { revoke(match: RevocationMatch): void } {
  const revoked: RevocationMatch[] = [];
  return {
    isRevoked: (principal) => revoked.some((match) => matchesRevocation(principal, match)),
    revoke: (match) => {
      revoked.push(match);
    },
  };
}

export const NEVER_REVOKED: RevocationCheck = { isRevoked: () => false };
