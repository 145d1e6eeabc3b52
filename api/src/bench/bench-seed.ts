import type { Sql } from 'postgres';
import { hashPin } from '../auth/pin-hash.ts';

export interface BenchCatalog {
  merchantId: string;
  branchId: string;
  locationId: string;
  cashierId: string;
  variantIds: string[];
  flashVariantId: string;
  flashSku: string;
}

export const CATALOG_SIZE = 200;
export const FLASH_UNITS = 1000;
export const HISTORY_ORDERS = 50_000;

/**
 * A busy restaurant-shop: one branch with grill, fry and bar stations, 200 sellable variants (most
 * prepared at a station, some retail) with deep stock, and one flash-sale SKU with 1,000 units.
 */
export async function seedBench(sql: Sql): Promise<BenchCatalog> {
  const [m] = await sql<
    { id: string }[]
  >`insert into merchants (slug, name) values ('bench', 'Bench Diner') returning id`;
  const merchantId = m!.id;
  const [b] = await sql<
    { id: string }[]
  >`insert into branches (merchant_id, name) values (${merchantId}, 'Main') returning id`;
  const branchId = b!.id;
  await sql`insert into stations (merchant_id, branch_id, code, name)
            values (${merchantId}, ${branchId}, 'grill', 'Grill'), (${merchantId}, ${branchId}, 'fry', 'Fry'),
                   (${merchantId}, ${branchId}, 'bar', 'Bar')`;
  const [l] = await sql<{ id: string }[]>`
    insert into locations (merchant_id, branch_id, name) values (${merchantId}, ${branchId}, 'Store') returning id`;
  const [cashier] = await sql<{ id: string }[]>`
    insert into staff_users (merchant_id, email, name, roles, pin_hash)
    values (${merchantId}, 'cashier@bench.test', 'Bench cashier', '{cashier}', ${await hashPin('1234')}) returning id`;
  await sql`
    insert into products (merchant_id, name, category, status, station_code, published_at)
    select ${merchantId}, 'Item ' || g, 'menu', 'published',
           (array['grill', 'fry', 'bar', null])[1 + g % 4], now()
    from generate_series(1, ${CATALOG_SIZE + 1}) g`;
  await sql`
    insert into product_variants (merchant_id, product_id, sku, price_amount, currency)
    select ${merchantId}, p.id, 'SKU-' || p.id, 300 + (p.id % 40) * 25, 'USD'
    from products p where p.merchant_id = ${merchantId}`;
  const variants = await sql<{ id: string; sku: string }[]>`
    select id, sku from product_variants where merchant_id = ${merchantId} order by id`;
  const flash = variants[variants.length - 1]!;
  await sql`
    insert into inventory_levels (merchant_id, variant_id, location_id, on_hand)
    select ${merchantId}, v.id, ${l!.id}, case when v.id = ${flash.id} then ${FLASH_UNITS} else 1000000 end
    from product_variants v where v.merchant_id = ${merchantId}`;
  await seedHistory(sql, merchantId, branchId, l!.id, variants[0]!.id);
  await sql`vacuum analyze`;
  // start the run on a clean checkpoint instead of flushing the seeding's pages during it
  await sql`checkpoint`;
  return {
    merchantId,
    branchId,
    locationId: l!.id,
    cashierId: cashier!.id,
    variantIds: variants.slice(0, -1).map((v) => v.id),
    flashVariantId: flash.id,
    flashSku: flash.sku,
  };
}

/**
 * Past business: completed orders with lines, tickets, items and committed reservations, so the
 * run starts on tables of a real size with statistics (an empty, never-analyzed table gets cached
 * plans that scan it, and those plans turn slow as the run fills it).
 */
async function seedHistory(
  sql: Sql,
  merchantId: string,
  branchId: string,
  locationId: string,
  firstVariantId: string,
): Promise<void> {
  await sql`
    insert into orders (merchant_id, branch_id, location_id, channel, status, currency, subtotal_amount, total_amount,
                        line_count, created_at, paid_at, fulfilled_at, completed_at)
    select ${merchantId}, ${branchId}, ${locationId}, 'pos', 'completed', 'USD', 1000, 1000, 2,
           now() - g * interval '1 minute', now(), now(), now()
    from generate_series(1, ${HISTORY_ORDERS}) g`;
  await sql`
    insert into order_lines (merchant_id, order_id, line_no, variant_id, product_id, product_name, variant_name, sku,
                             unit_price_amount, currency, quantity, line_total_amount, station_code)
    select o.merchant_id, o.id, n, v.id, v.product_id, 'Item', '', v.sku, 500, 'USD', 1, 500, 'grill'
    from orders o cross join generate_series(1, 2) n
    -- a constant first id, so the join is an index probe per line (a subquery here made the
    -- planner loop over every variant for every line: minutes instead of seconds)
    join product_variants v on v.merchant_id = o.merchant_id and v.id = ${firstVariantId}::bigint + (o.id * 7 + n) % ${CATALOG_SIZE}
    where o.merchant_id = ${merchantId}`;
  await sql`
    insert into kitchen_tickets (merchant_id, branch_id, station_id, order_id, status, channel, bumped_at)
    select o.merchant_id, o.branch_id, s.id, o.id, 'bumped', 'pos', now()
    from orders o join stations s on s.branch_id = o.branch_id and s.code = 'grill' where o.merchant_id = ${merchantId}`;
  // statistics first: the foreign-key checks of the items are planned on them (without, each check
  // scanned the whole tickets table: minutes for this one statement)
  await sql`analyze orders, order_lines, kitchen_tickets`;
  await sql`
    insert into kitchen_ticket_items (merchant_id, ticket_id, branch_id, station_id, order_id, order_line_id, name, quantity, status)
    select t.merchant_id, t.id, t.branch_id, t.station_id, t.order_id, l.id, 'Item', 1, 'served'
    from kitchen_tickets t join order_lines l on l.order_id = t.order_id where t.merchant_id = ${merchantId}`;
  await sql`
    insert into reservations (merchant_id, order_id, variant_id, location_id, quantity, status)
    select l.merchant_id, l.order_id, l.variant_id, ${locationId}, 1, 'committed'
    from order_lines l where l.merchant_id = ${merchantId}`;
}
