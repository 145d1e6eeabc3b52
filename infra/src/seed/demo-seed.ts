import { hashPin } from '@commerce/api';
import type { Sql, TransactionSql } from 'postgres';
import { demoMenu } from './menu.ts';
import { seededRandom } from './random.ts';
import { retailCatalog } from './retail-catalog.ts';

export const DEMO_RESTAURANT_SLUG = 'demo-bistro';
export const DEMO_RETAIL_SLUG = 'demo-market';
/** every demo staff member signs in on /pair with this PIN (demo data only) */
export const DEMO_STAFF_PIN = '1234';

export interface DemoIds {
  restaurant: {
    merchantId: string;
    branches: Array<{ id: string; name: string; locationId: string; stations: Record<string, string> }>;
    staff: Record<'owner' | 'manager' | 'cashier' | 'kitchen' | 'stock_clerk', { id: string; email: string }>;
    /** paired demo devices of the first branch, by name */
    terminals: Array<{ id: string; name: string; kind: string; branchId: string | null; stationIds: string[] }>;
  };
  retail: { merchantId: string; branchId: string; locationId: string };
}

export interface SeedOptions {
  retailProducts?: number;
  /** called with (done, total) as rows are written */
  onProgress?: (done: number, total: number, stage: string) => void;
}

const BATCH = 1000;

/**
 * Loads the demo data once: a restaurant with two branches, stations grill/fry/bar/expo and a
 * ~150-item menu with stock, and a retail store with a generated catalog for search. A second run
 * finds the data and only returns its ids.
 */
export async function seedDemo(sql: Sql, options: SeedOptions = {}): Promise<DemoIds> {
  const existing = await loadDemoIds(sql);
  if (existing) return existing;
  const retailCount = options.retailProducts ?? 10_000;
  const menu = demoMenu();
  const menuVariants = menu.reduce((n, item) => n + item.variants.length, 0);
  const total = menuVariants + retailCount;
  let done = 0;
  const progress = (n: number, stage: string) => {
    done += n;
    options.onProgress?.(done, total, stage);
  };
  const rnd = seededRandom(7);
  const pinHash = await hashPin(DEMO_STAFF_PIN);

  await sql.begin(async (tx) => {
    const [restaurant] = await tx<{ id: string }[]>`
      insert into merchants (slug, name, currency) values (${DEMO_RESTAURANT_SLUG}, 'Demo Bistro', 'USD') returning id`;
    const mid = restaurant!.id;
    const branchIds: string[] = [];
    const locationIds: string[] = [];
    for (const name of ['Downtown', 'Riverside']) {
      const [branch] = await tx<{ id: string }[]>`
        insert into branches (merchant_id, name, timezone) values (${mid}, ${name}, 'Europe/London') returning id`;
      branchIds.push(branch!.id);
      for (const code of ['grill', 'fry', 'bar', 'expo']) {
        await tx`insert into stations (merchant_id, branch_id, code, name)
                 values (${mid}, ${branch!.id}, ${code}, ${code[0]!.toUpperCase() + code.slice(1)})`;
      }
      const [location] = await tx<{ id: string }[]>`
        insert into locations (merchant_id, branch_id, name, kind) values (${mid}, ${branch!.id}, ${`${name} Kitchen`}, 'kitchen')
        returning id`;
      locationIds.push(location!.id);
    }
    const staff: Array<[string, string, string, string[]]> = [
      ['owner', 'Olivia Owner', 'owner@demo-bistro.test', []],
      ['manager', 'Max Manager', 'manager@demo-bistro.test', []],
      ['cashier', 'Cara Cashier', 'cashier@demo-bistro.test', [branchIds[0]!]],
      ['kitchen', 'Kai Kitchen', 'kitchen@demo-bistro.test', [branchIds[0]!]],
      ['stock_clerk', 'Sam Stock', 'stock@demo-bistro.test', []],
    ];
    for (const [role, name, email, branches] of staff) {
      await tx`insert into staff_users (merchant_id, email, name, roles, branch_ids, pin_hash)
               values (${mid}, ${email}, ${name}, ${[role]}::staff_role[], ${branches}::bigint[], ${pinHash})`;
    }
    // demo devices at the first branch: a KDS per station, an expo screen, the POS board, the stock feed
    const devices: Array<[string, string, string[]]> = [
      ['Grill KDS', 'kds', ['grill']],
      ['Fry KDS', 'kds', ['fry']],
      ['Bar KDS', 'kds', ['bar']],
      ['Expo KDS', 'kds', ['grill', 'fry', 'bar', 'expo']],
      ['POS Board', 'pos', []],
      ['Stock Feed', 'stock_feed', []],
    ];
    for (const [name, kind, codes] of devices) {
      await tx`insert into terminals (merchant_id, branch_id, kind, name, station_ids)
               select ${mid}, ${branchIds[0]!}, ${kind}::terminal_kind, ${name},
                      coalesce(array_agg(id order by id) filter (where id is not null), '{}')
               from stations where branch_id = ${branchIds[0]!} and code = any(${codes}::text[])`;
    }

    for (const item of menu) {
      const [product] = await tx<{ id: string }[]>`
        insert into products (merchant_id, name, description, category, tags, status, station_code, published_at, brand)
        values (${mid}, ${item.name}, ${item.description}, ${item.category}, ${item.tags}, 'published', ${item.station}, now(), 'Demo Bistro')
        returning id`;
      for (const variant of item.variants) {
        const sku = skuFor(item.name, variant.name);
        const [v] = await tx<{ id: string }[]>`
          insert into product_variants (merchant_id, product_id, sku, name, price_amount, currency)
          values (${mid}, ${product!.id}, ${sku}, ${variant.name}, ${variant.price}, 'USD') returning id`;
        for (const locationId of locationIds) {
          const onHand = rnd.int(20, 200);
          await addStock(tx, mid, v!.id, locationId, onHand, 10);
        }
        progress(1, 'menu');
      }
    }

    const [retail] = await tx<{ id: string }[]>`
      insert into merchants (slug, name, currency) values (${DEMO_RETAIL_SLUG}, 'Demo Market', 'USD') returning id`;
    const rid = retail!.id;
    const [rbranch] = await tx<{ id: string }[]>`
      insert into branches (merchant_id, name) values (${rid}, 'Online') returning id`;
    const [rloc] = await tx<{ id: string }[]>`
      insert into locations (merchant_id, branch_id, name, kind) values (${rid}, ${rbranch!.id}, 'Warehouse', 'warehouse')
      returning id`;
    await tx`insert into staff_users (merchant_id, email, name, roles, pin_hash)
             values (${rid}, 'owner@demo-market.test', 'Rita Retail', '{owner}', ${pinHash})`;

    const catalog = retailCatalog(retailCount);
    for (let start = 0; start < catalog.length; start += BATCH) {
      const slice = catalog.slice(start, start + BATCH);
      const inserted = await tx<{ id: string; name: string }[]>`insert into products ${tx(
        slice.map((p) => ({
          merchant_id: rid,
          name: p.name,
          description: p.description,
          brand: p.brand,
          category: p.category,
          tags: `{${p.tags.join(',')}}`,
          status: 'published',
          published_at: new Date(),
        })),
      )} returning id, name`;
      const idByName = new Map(inserted.map((row) => [row.name, row.id]));
      const ids = slice.map((p) => ({ id: idByName.get(p.name)! }));
      const variants = slice.flatMap((p, i) =>
        p.variants.map((v, j) => ({
          merchant_id: rid,
          product_id: ids[i]!.id,
          sku: `DM-${String(start + i + 1).padStart(5, '0')}-${j + 1}`,
          name: v.name,
          price_amount: v.price,
          currency: 'USD',
        })),
      );
      const variantIds = await tx<{ id: string }[]>`insert into product_variants ${tx(variants)} returning id`;
      const levels = variantIds.map((v) => {
        const onHand = rnd.next() < 0.08 ? 0 : rnd.int(1, 500);
        return { merchant_id: rid, variant_id: v.id, location_id: rloc!.id, on_hand: onHand, low_stock_threshold: 5 };
      });
      await tx`insert into inventory_levels ${tx(levels)}`;
      const movements = levels
        .filter((l) => l.on_hand > 0)
        .map((l) => ({ ...l, reason: 'receipt', quantity: l.on_hand, on_hand_after: l.on_hand, note: 'demo seed' }))
        .map(({ low_stock_threshold: _t, on_hand: _o, ...m }) => m);
      if (movements.length) await tx`insert into stock_movements ${tx(movements)}`;
      progress(slice.length, 'retail');
    }
  });
  const ids = await loadDemoIds(sql);
  if (!ids) throw new Error('demo seed did not persist');
  return ids;
}

async function addStock(
  tx: TransactionSql,
  mid: string,
  variantId: string,
  locationId: string,
  onHand: number,
  threshold: number,
) {
  await tx`insert into inventory_levels (merchant_id, variant_id, location_id, on_hand, low_stock_threshold)
           values (${mid}, ${variantId}, ${locationId}, ${onHand}, ${threshold})`;
  await tx`insert into stock_movements (merchant_id, variant_id, location_id, reason, quantity, on_hand_after, note)
           values (${mid}, ${variantId}, ${locationId}, 'receipt', ${onHand}, ${onHand}, 'demo seed')`;
}

export function skuFor(product: string, variant: string): string {
  const slug = (s: string) =>
    s
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toUpperCase()
      .replace(/[^A-Z0-9]+/g, '-')
      .replace(/^-|-$/g, '');
  return `BIS-${slug(product)}-${slug(variant)}`.slice(0, 64);
}

export async function loadDemoIds(sql: Sql): Promise<DemoIds | null> {
  const [restaurant] = await sql<{ id: string }[]>`select id from merchants where slug = ${DEMO_RESTAURANT_SLUG}`;
  const [retail] = await sql<{ id: string }[]>`select id from merchants where slug = ${DEMO_RETAIL_SLUG}`;
  if (!restaurant || !retail) return null;
  const branches = await sql<{ id: string; name: string; location_id: string }[]>`
    select b.id, b.name, l.id as location_id from branches b
    join locations l on l.branch_id = b.id and l.merchant_id = b.merchant_id
    where b.merchant_id = ${restaurant.id} order by b.id`;
  const stations = await sql<{ id: string; branch_id: string; code: string }[]>`
    select id, branch_id, code from stations where merchant_id = ${restaurant.id}`;
  const staff = await sql<{ id: string; email: string; role: string }[]>`
    select id, email, roles[1]::text as role from staff_users where merchant_id = ${restaurant.id}`;
  const terminals = await sql<
    { id: string; name: string; kind: string; branch_id: string | null; station_ids: string[] }[]
  >`
    select id, name, kind::text, branch_id, station_ids::text[] from terminals
    where merchant_id = ${restaurant.id} and revoked_at is null order by id`;
  const [rb] = await sql<{ id: string; location_id: string }[]>`
    select b.id, l.id as location_id from branches b join locations l on l.branch_id = b.id
    where b.merchant_id = ${retail.id} limit 1`;
  const staffByRole = Object.fromEntries(staff.map((s) => [s.role, { id: s.id, email: s.email }]));
  return {
    restaurant: {
      merchantId: restaurant.id,
      branches: branches.map((b) => ({
        id: b.id,
        name: b.name,
        locationId: b.location_id,
        stations: Object.fromEntries(stations.filter((s) => s.branch_id === b.id).map((s) => [s.code, s.id])),
      })),
      staff: staffByRole as DemoIds['restaurant']['staff'],
      terminals: terminals.map((t) => ({
        id: t.id,
        name: t.name,
        kind: t.kind,
        branchId: t.branch_id,
        stationIds: t.station_ids,
      })),
    },
    retail: { merchantId: retail.id, branchId: rb!.id, locationId: rb!.location_id },
  };
}
