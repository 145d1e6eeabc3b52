import type { Principal } from '@commerce/common';
import type { Context } from 'hono';
import type { AppEnv } from './app-env.ts';

/**
 * What a request may touch: always one merchant; optionally only some branches / stations (a
 * token with an empty list serves all of them). Services take this, never the raw context.
 */
export interface Scope {
  merchantId: string;
  branchIds: string[] | null;
  stationIds: string[] | null;
  principal: Principal;
  /** staff user id for created_by / actor columns; null for devices */
  staffId: string | null;
}

export function scopeOf(principal: Principal): Scope {
  return {
    merchantId: principal.merchantId,
    branchIds: principal.branchIds.length > 0 ? principal.branchIds : null,
    stationIds: principal.stationIds.length > 0 ? principal.stationIds : null,
    principal,
    staffId: principal.kind === 'staff' ? principal.id : null,
  };
}

export const scope = (c: Context<AppEnv>): Scope => scopeOf(c.var.principal);

export function allowsBranch(s: Scope, branchId: string | null): boolean {
  return s.branchIds === null || (branchId !== null && s.branchIds.includes(branchId));
}

export function allowsStation(s: Scope, stationId: string): boolean {
  return s.stationIds === null || s.stationIds.includes(stationId);
}
