import type { z } from '@hono/zod-openapi';
import { notFound } from '../errors.ts';
import { type Db, iso } from '../http/db.ts';
import { allowsBranch, type Scope } from '../http/scope.ts';
import type { CreateLocationSchema, Location } from './inventory-schemas.ts';

interface LocationRow {
  id: string;
  name: string;
  kind: Location['kind'];
  branch_id: string | null;
  created_at: Date;
}

const toLocation = (r: LocationRow): Location => ({
  id: r.id,
  name: r.name,
  kind: r.kind,
  branch_id: r.branch_id,
  created_at: iso(r.created_at),
});

/** A branch-scoped token sees its branches' locations and the merchant-wide ones (no branch). */
export const locationVisible = (s: Scope, branchId: string | null) => branchId === null || allowsBranch(s, branchId);

export function locationScopeSql(db: Db, s: Scope, column = 'l.branch_id') {
  return s.branchIds
    ? db`and (${db.unsafe(column)} is null or ${db.unsafe(column)} = any(${s.branchIds}::bigint[]))`
    : db``;
}

export async function listLocations(db: Db, s: Scope): Promise<Location[]> {
  const rows = await db<LocationRow[]>`
    select id, name, kind, branch_id, created_at from locations l
    where merchant_id = ${s.merchantId} ${locationScopeSql(db, s)} order by id`;
  return rows.map(toLocation);
}

export async function createLocation(db: Db, s: Scope, input: z.infer<typeof CreateLocationSchema>): Promise<Location> {
  if (input.branch_id !== null) {
    const [branch] = await db`select id from branches where merchant_id = ${s.merchantId} and id = ${input.branch_id}`;
    if (!branch || !allowsBranch(s, input.branch_id)) throw notFound('branch', input.branch_id);
  }
  const [row] = await db<LocationRow[]>`
    insert into locations (merchant_id, branch_id, name, kind)
    values (${s.merchantId}, ${input.branch_id}, ${input.name}, ${input.kind})
    returning id, name, kind, branch_id, created_at`;
  return toLocation(row!);
}

/** The variant and location of a stock operation, both this merchant's and within the token's scope. */
export async function stockTarget(db: Db, s: Scope, variantId: string, locationId: string): Promise<{ sku: string }> {
  const [row] = await db<{ sku: string | null; location: string | null; branch_id: string | null }[]>`
    select (select sku from product_variants where merchant_id = ${s.merchantId} and id = ${variantId}) as sku,
           l.id as location, l.branch_id
    from (select 1) one
    left join locations l on l.merchant_id = ${s.merchantId} and l.id = ${locationId}`;
  if (!row?.sku) throw notFound('variant', variantId);
  if (!row.location || !locationVisible(s, row.branch_id)) throw notFound('location', locationId);
  return { sku: row.sku };
}
