import type { Principal, TokenVerifier } from '@commerce/common';
import type { Sql } from 'postgres';
import { unauthenticated } from '../errors.ts';

export interface Authenticator {
  /** `Authorization` header → principal, or an `unauthenticated` error. */
  authenticate(authorization: string | undefined): Promise<Principal>;
  /** Drop what is cached about a principal (after revoking a terminal or deactivating staff). */
  forget(kind: Principal['kind'], merchantId: string, id: string): void;
}

export interface AuthenticatorDeps {
  verify: TokenVerifier;
  sql: Sql;
  /** how long "staff user active / terminal not revoked" is trusted before asking the database again */
  recheckMs: number;
  now?: () => number;
  maxCachedTokens?: number;
}

interface Liveness {
  /** when `last` was established */
  at: number;
  /** the last answer, once there is one */
  last: boolean | undefined;
  pending: Promise<boolean>;
  refreshing: boolean;
}

const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)$/;

/**
 * Verifies bearer tokens (ES256, issuer, audience, expiry: see createTokenVerifier) and checks that
 * the token's staff user is still active or its terminal not revoked. A verified token string is
 * cached until it expires: the same bytes verify the same way, so only the clock can change the
 * answer, and ECDSA verification is the costliest step of a request.
 */
export function createAuthenticator(deps: AuthenticatorDeps): Authenticator {
  const now = deps.now ?? Date.now;
  const maxTokens = deps.maxCachedTokens ?? 10_000;
  const tokens = new Map<string, Principal>();
  const liveness = new Map<string, Liveness>();

  /**
   * An answer is trusted for recheckMs. For up to as long again, it is still given while a fresh
   * check runs in the background: a refresh queued behind a busy pool must not hold up every
   * request of that principal. Older than that (or never checked), the request waits.
   */
  const isLive = (p: Principal): Promise<boolean> | boolean => {
    const key = `${p.kind}:${p.merchantId}:${p.id}`;
    const entry = liveness.get(key);
    const age = entry ? now() - entry.at : Number.POSITIVE_INFINITY;
    const usable = entry?.last !== undefined && age < 2 * deps.recheckMs;
    if (entry && age < deps.recheckMs) return entry.last ?? entry.pending;
    if (entry?.refreshing) return usable ? entry.last! : entry.pending;
    const pending = queryLive(deps.sql, p).then(
      (ok) => {
        const current = liveness.get(key);
        if (current?.pending === pending) liveness.set(key, { at: now(), last: ok, pending, refreshing: false });
        return ok;
      },
      (error) => {
        const current = liveness.get(key);
        if (current?.pending === pending) {
          if (current.last === undefined) liveness.delete(key);
          else current.refreshing = false;
        }
        throw error;
      },
    );
    liveness.set(key, { at: entry?.at ?? now(), last: entry?.last, pending, refreshing: true });
    if (liveness.size > maxTokens) liveness.delete(liveness.keys().next().value!);
    if (usable) {
      pending.catch(() => undefined);
      return entry!.last!;
    }
    return pending;
  };

  return {
    async authenticate(authorization) {
      if (!authorization) throw unauthenticated('auth.missing_token', 'missing bearer token');
      const match = authorization.length <= 8192 ? BEARER.exec(authorization) : null;
      if (!match) throw unauthenticated('auth.malformed_token', 'Authorization must be "Bearer <jwt>"');
      const token = match[1]!;
      let principal = tokens.get(token);
      if (!principal) {
        principal = await deps.verify(token);
        if (tokens.size >= maxTokens) tokens.delete(tokens.keys().next().value!);
        tokens.set(token, principal);
      }
      if (principal.expiresAt <= now()) {
        tokens.delete(token);
        throw unauthenticated('auth.token_invalid', 'token rejected (ERR_JWT_EXPIRED)');
      }
      if (!(await isLive(principal))) {
        throw unauthenticated(
          'auth.principal_inactive',
          principal.kind === 'terminal' ? 'terminal revoked' : 'staff user inactive',
        );
      }
      return principal;
    },
    forget(kind, merchantId, id) {
      liveness.delete(`${kind}:${merchantId}:${id}`);
    },
  };
}

async function queryLive(sql: Sql, p: Principal): Promise<boolean> {
  const rows =
    p.kind === 'terminal'
      ? await sql<{ ok: boolean }[]>`select revoked_at is null as ok from terminals
                                     where merchant_id = ${p.merchantId} and id = ${p.id}`
      : await sql<{ ok: boolean }[]>`select active as ok from staff_users
                                     where merchant_id = ${p.merchantId} and id = ${p.id}`;
  return rows[0]?.ok === true;
}
