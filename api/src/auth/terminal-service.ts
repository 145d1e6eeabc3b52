import type { Role, TokenSigner } from '@commerce/common';
import { invalidInput, notFound } from '../errors.ts';
import { type Db, iso } from '../http/db.ts';
import { allowsBranch, type Scope } from '../http/scope.ts';
import type { PairedTerminal, PairTerminalInput, Terminal } from './auth-schemas.ts';

interface TerminalRow {
  id: string;
  kind: Terminal['kind'];
  name: string;
  branch_id: string | null;
  station_ids: string[];
  paired_by: string | null;
  revoked_at: Date | null;
  last_seen_at: Date | null;
  created_at: Date;
}

const COLUMNS = (db: Db) =>
  db`id, kind, name, branch_id, station_ids::text[] as station_ids, paired_by, revoked_at, last_seen_at, created_at`;

const toTerminal = (r: TerminalRow): Terminal => ({
  id: r.id,
  kind: r.kind,
  name: r.name,
  branch_id: r.branch_id,
  station_ids: r.station_ids,
  paired_by: r.paired_by,
  revoked_at: iso(r.revoked_at),
  last_seen_at: iso(r.last_seen_at),
  created_at: iso(r.created_at),
});

const DEFAULT_ROLES: Record<Terminal['kind'], Role[]> = {
  pos: ['cashier'],
  kds: ['kitchen'],
  stock_feed: [],
  staff: [],
};

export interface PairDeps {
  db: Db;
  signToken: TokenSigner;
  ttlSeconds: number;
  hub: { url: string | null; publicKey: string | null };
}

/**
 * Pairs a device: a terminals row plus a device token naming it (`terminal:<id>`), its branch and
 * stations, and the roles of its kind. Exported for `npm start` to mint demo device tokens.
 */
export async function pairTerminal(deps: PairDeps, s: Scope, input: PairTerminalInput): Promise<PairedTerminal> {
  const { db } = deps;
  if ((input.kind === 'pos' || input.kind === 'kds') && !input.branch_id) {
    throw invalidInput('terminal.branch_required', `a ${input.kind} terminal needs branch_id`, {
      issues: [{ path: 'body.branch_id', message: `required for kind ${input.kind}` }],
    });
  }
  if (input.station_ids.length > 0 && input.kind !== 'kds') {
    throw invalidInput('terminal.stations_kds_only', 'station_ids are for kds terminals', {
      issues: [{ path: 'body.station_ids', message: 'only kds terminals serve stations' }],
    });
  }
  const branchId = input.branch_id ?? null;
  if (branchId !== null) {
    const [branch] = await db`select id from branches where merchant_id = ${s.merchantId} and id = ${branchId}`;
    if (!branch || !allowsBranch(s, branchId)) throw notFound('branch', branchId);
  }
  const stationIds = [...new Set(input.station_ids)];
  if (stationIds.length > 0) {
    const found = await db<{ id: string }[]>`
      select id from stations where merchant_id = ${s.merchantId} and branch_id = ${branchId}
        and id = any(${stationIds}::bigint[])`;
    const missing = stationIds.filter((id) => !found.some((f) => f.id === id));
    if (missing.length > 0) throw notFound('station', missing.join(', '));
  }
  const [row] = await db<TerminalRow[]>`
    insert into terminals (merchant_id, branch_id, kind, name, station_ids, paired_by)
    values (${s.merchantId}, ${branchId}, ${input.kind}, ${input.name}, ${stationIds}::bigint[], ${s.staffId})
    returning ${COLUMNS(db)}`;
  const terminal = toTerminal(row!);
  const roles: Role[] = ['terminal', ...new Set(input.roles ?? DEFAULT_ROLES[input.kind])];
  const branchIds = branchId !== null ? [branchId] : (s.branchIds ?? []);
  const token = await deps.signToken({
    kind: 'terminal',
    id: terminal.id,
    merchantId: s.merchantId,
    roles,
    branchIds,
    stationIds,
    ttlSeconds: deps.ttlSeconds,
  });
  return {
    terminal,
    token,
    token_type: 'Bearer',
    roles,
    expires_at: new Date(Date.now() + deps.ttlSeconds * 1000).toISOString(),
    hub: { url: deps.hub.url, public_key: deps.hub.publicKey },
  };
}

export async function listTerminals(db: Db, s: Scope, includeRevoked: boolean): Promise<Terminal[]> {
  const rows = await db<TerminalRow[]>`
    select ${COLUMNS(db)} from terminals
    where merchant_id = ${s.merchantId}
      ${includeRevoked ? db`` : db`and revoked_at is null`}
      ${s.branchIds ? db`and branch_id = any(${s.branchIds}::bigint[])` : db``}
    order by id`;
  return rows.map(toTerminal);
}

export async function getTerminal(db: Db, s: Scope, id: string): Promise<Terminal> {
  const [row] = await db<TerminalRow[]>`
    select ${COLUMNS(db)} from terminals where merchant_id = ${s.merchantId} and id = ${id}`;
  if (!row || !allowsBranch(s, row.branch_id)) throw notFound('terminal', id);
  return toTerminal(row);
}

/** Sets revoked_at (once; a second revoke keeps the first time). Its tokens stop working. */
export async function revokeTerminal(db: Db, s: Scope, id: string): Promise<Terminal> {
  await getTerminal(db, s, id);
  const [row] = await db<TerminalRow[]>`
    update terminals set revoked_at = coalesce(revoked_at, now())
    where merchant_id = ${s.merchantId} and id = ${id}
    returning ${COLUMNS(db)}`;
  return toTerminal(row!);
}

/**
 * For the hub (and anyone holding a device token): true when the terminal is revoked or does not
 * exist. Pass the token's merchant id to make sure the terminal is that merchant's.
 */
export async function isTerminalRevoked(db: Db, terminalId: string, merchantId?: string): Promise<boolean> {
  const [row] = await db<{ revoked: boolean }[]>`
    select revoked_at is not null as revoked from terminals
    where id = ${terminalId} ${merchantId ? db`and merchant_id = ${merchantId}` : db``}`;
  return row ? row.revoked : true;
}
