import type { z } from '@hono/zod-openapi';
import { notFound } from '../errors.ts';
import { type Db, iso } from '../http/db.ts';
import type { Scope } from '../http/scope.ts';
import type { Branch, CreateBranchSchema, CreateStationSchema, Me, Station } from './tenancy-schemas.ts';

interface BranchRow {
  id: string;
  name: string;
  timezone: string;
  created_at: Date;
}
interface StationRow {
  id: string;
  branch_id: string;
  code: string;
  name: string;
  created_at: Date;
}

const toBranch = (r: BranchRow): Branch => ({
  id: r.id,
  name: r.name,
  timezone: r.timezone,
  created_at: iso(r.created_at),
});
const toStation = (r: StationRow): Station => ({
  id: r.id,
  branch_id: r.branch_id,
  code: r.code,
  name: r.name,
  created_at: iso(r.created_at),
});

export async function getMe(db: Db, s: Scope): Promise<Me> {
  const [m] = await db<{ id: string; slug: string; name: string; currency: string }[]>`
    select id, slug, name, currency from merchants where id = ${s.merchantId}`;
  if (!m) throw notFound('merchant', s.merchantId);
  const p = s.principal;
  return {
    principal: {
      kind: p.kind,
      id: p.id,
      roles: p.roles,
      branch_ids: p.branchIds,
      station_ids: p.stationIds,
      expires_at: new Date(p.expiresAt).toISOString(),
    },
    merchant: m,
  };
}

export async function listBranches(db: Db, s: Scope): Promise<Branch[]> {
  const rows = await db<BranchRow[]>`
    select id, name, timezone, created_at from branches
    where merchant_id = ${s.merchantId} ${s.branchIds ? db`and id = any(${s.branchIds}::bigint[])` : db``}
    order by id`;
  return rows.map(toBranch);
}

export async function getBranch(db: Db, s: Scope, id: string): Promise<Branch> {
  const [row] = await db<BranchRow[]>`
    select id, name, timezone, created_at from branches
    where merchant_id = ${s.merchantId} and id = ${id}
      ${s.branchIds ? db`and id = any(${s.branchIds}::bigint[])` : db``}`;
  if (!row) throw notFound('branch', id);
  return toBranch(row);
}

export async function createBranch(db: Db, s: Scope, input: z.infer<typeof CreateBranchSchema>): Promise<Branch> {
  const [row] = await db<BranchRow[]>`
    insert into branches (merchant_id, name, timezone) values (${s.merchantId}, ${input.name}, ${input.timezone})
    returning id, name, timezone, created_at`;
  return toBranch(row!);
}

export async function listStations(db: Db, s: Scope, branchId: string | undefined): Promise<Station[]> {
  const rows = await db<StationRow[]>`
    select id, branch_id, code, name, created_at from stations
    where merchant_id = ${s.merchantId}
      ${branchId ? db`and branch_id = ${branchId}` : db``}
      ${s.branchIds ? db`and branch_id = any(${s.branchIds}::bigint[])` : db``}
      ${s.stationIds ? db`and id = any(${s.stationIds}::bigint[])` : db``}
    order by branch_id, id`;
  return rows.map(toStation);
}

export async function createStation(db: Db, s: Scope, input: z.infer<typeof CreateStationSchema>): Promise<Station> {
  await getBranch(db, s, input.branch_id);
  const [row] = await db<StationRow[]>`
    insert into stations (merchant_id, branch_id, code, name)
    values (${s.merchantId}, ${input.branch_id}, ${input.code}, ${input.name})
    returning id, branch_id, code, name, created_at`;
  return toStation(row!);
}
