import { cp, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { withDatabase } from '../testing/test-database.ts';
import { loadMigrations, MIGRATIONS_DIR, runMigrations } from './migrate.ts';

// This file migrates an EMPTY database itself (not the harness template) to test the runner.
const adminUrl = inject('pgAdminUrl');
const name = `m_${Date.now().toString(36)}${Math.floor(Math.random() * 1e6)}`;
const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
await admin.unsafe(`create database ${name}`);
const sql = postgres(withDatabase(adminUrl, name), { max: 4, onnotice: () => {} });

afterAll(async () => {
  await sql.end();
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.end();
});

describe('migration runner', () => {
  it('applies every migration to an empty database, then nothing the second time', async () => {
    const all = await loadMigrations();
    const first = await runMigrations(sql);
    expect(first).toEqual(all.map((m) => `${m.version}_${m.name}`));
    const second = await runMigrations(sql);
    expect(second).toEqual([]);
    const [row] = await sql<{ n: number }[]>`select count(*)::int as n from schema_migrations`;
    expect(row?.n).toBe(all.length);
  });

  it('serializes concurrent runners: from an empty database, together they apply each migration once', async () => {
    // its own empty database: on a migrated one both runners find nothing to do and the lock is never tested
    const empty = `${name}_c`;
    await admin.unsafe(`create database ${empty}`);
    // one pool per runner, as two processes starting at once would have
    const pools = [0, 1].map(() => postgres(withDatabase(adminUrl, empty), { max: 1, onnotice: () => {} }));
    try {
      const all = (await loadMigrations()).map((m) => `${m.version}_${m.name}`);
      const results = await Promise.all(pools.map((pool) => runMigrations(pool)));
      expect(results.flat().sort()).toEqual(all);
      const rows = await pools[0]!<{ version: string; n: number }[]>`
        select version, count(*)::int as n from schema_migrations group by version order by version`;
      expect(rows.map((r) => `${r.version}:${r.n}`)).toEqual(all.map((m) => `${m.slice(0, 4)}:1`));
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
      await admin.unsafe(`drop database if exists ${empty} with (force)`);
    }
  });

  it('refuses a migration that was edited after it ran', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'migrations-'));
    await cp(MIGRATIONS_DIR, dir, { recursive: true });
    await writeFile(join(dir, '0001_tenancy.sql'), '-- edited\n', { flag: 'a' });
    await expect(runMigrations(sql, dir)).rejects.toThrow(/changed after it was applied/);
  });
});

describe('schema constraints', () => {
  it('rejects negative stock, reservations beyond on-hand and out-of-range quantities', async () => {
    const [m] = await sql<
      { id: string }[]
    >`insert into merchants (slug, name) values ('constraint-test', 'C') returning id`;
    const mid = m!.id;
    const [b] = await sql<
      { id: string }[]
    >`insert into branches (merchant_id, name) values (${mid}, 'Main') returning id`;
    const [l] = await sql<
      { id: string }[]
    >`insert into locations (merchant_id, branch_id, name) values (${mid}, ${b!.id}, 'Store') returning id`;
    const [p] = await sql<
      { id: string }[]
    >`insert into products (merchant_id, name) values (${mid}, 'Burger') returning id`;
    const [v] = await sql<
      { id: string }[]
    >`insert into product_variants (merchant_id, product_id, sku, price_amount, currency)
      values (${mid}, ${p!.id}, 'BURGER-1', 1200, 'USD') returning id`;

    await expect(
      sql`insert into inventory_levels (merchant_id, variant_id, location_id, on_hand) values (${mid}, ${v!.id}, ${l!.id}, -1)`,
    ).rejects.toThrow(/violates check constraint/);
    await sql`insert into inventory_levels (merchant_id, variant_id, location_id, on_hand) values (${mid}, ${v!.id}, ${l!.id}, 5)`;
    await expect(sql`update inventory_levels set reserved = 6 where variant_id = ${v!.id}`).rejects.toThrow(
      /inventory_levels_reserved_within_on_hand/,
    );
    await expect(sql`update inventory_levels set on_hand = on_hand - 6 where variant_id = ${v!.id}`).rejects.toThrow(
      /violates check constraint/,
    );
    const [lvl] = await sql<
      { available: number }[]
    >`update inventory_levels set reserved = 2 where variant_id = ${v!.id} returning available`;
    expect(lvl?.available).toBe(3);

    const [o] = await sql<
      { id: string }[]
    >`insert into orders (merchant_id, branch_id, location_id, channel, currency, subtotal_amount, total_amount, line_count)
      values (${mid}, ${b!.id}, ${l!.id}, 'pos', 'USD', 1200, 1200, 1) returning id`;
    const line = (quantity: number) => sql`insert into order_lines
      (merchant_id, order_id, line_no, variant_id, product_id, product_name, variant_name, sku, unit_price_amount, currency, quantity, line_total_amount)
      values (${mid}, ${o!.id}, 1, ${v!.id}, ${p!.id}, 'Burger', '', 'BURGER-1', 1200, 'USD', ${quantity}, 0)`;
    await expect(line(0)).rejects.toThrow(/quantity_check/);
    await expect(line(10000)).rejects.toThrow(/quantity_check/);
    await line(9999);
    await expect(
      sql`insert into orders (merchant_id, branch_id, location_id, channel, currency, subtotal_amount, total_amount, line_count)
          values (${mid}, ${b!.id}, ${l!.id}, 'pos', 'USD', 0, 0, 101)`,
    ).rejects.toThrow(/line_count_check/);
  });

  it('keeps the stock ledger append-only and tenants apart', async () => {
    const [m1] = await sql<{ id: string }[]>`insert into merchants (slug, name) values ('ledger-a', 'A') returning id`;
    const [m2] = await sql<{ id: string }[]>`insert into merchants (slug, name) values ('ledger-b', 'B') returning id`;
    const [b1] = await sql<
      { id: string }[]
    >`insert into branches (merchant_id, name) values (${m1!.id}, 'A1') returning id`;
    // a station of merchant B may not hang under merchant A's branch
    await expect(
      sql`insert into stations (merchant_id, branch_id, code, name) values (${m2!.id}, ${b1!.id}, 'grill', 'Grill')`,
    ).rejects.toThrow(/foreign key/);
    const [l] = await sql<
      { id: string }[]
    >`insert into locations (merchant_id, name) values (${m1!.id}, 'W') returning id`;
    const [p] = await sql<
      { id: string }[]
    >`insert into products (merchant_id, name) values (${m1!.id}, 'Fries') returning id`;
    const [v] = await sql<
      { id: string }[]
    >`insert into product_variants (merchant_id, product_id, sku, price_amount, currency)
      values (${m1!.id}, ${p!.id}, 'FRIES', 300, 'USD') returning id`;
    const [mv] = await sql<
      { id: string }[]
    >`insert into stock_movements (merchant_id, variant_id, location_id, reason, quantity, on_hand_after)
      values (${m1!.id}, ${v!.id}, ${l!.id}, 'receipt', 10, 10) returning id`;
    await expect(sql`update stock_movements set quantity = 11 where id = ${mv!.id}`).rejects.toThrow(/append-only/);
    await expect(sql`delete from stock_movements where id = ${mv!.id}`).rejects.toThrow(/append-only/);
  });

  it('holds every reference to its merchant: actors, line products, and the id arrays', async () => {
    const [a] = await sql<{ id: string }[]>`insert into merchants (slug, name) values ('refs-a', 'A') returning id`;
    const [z] = await sql<{ id: string }[]>`insert into merchants (slug, name) values ('refs-z', 'Z') returning id`;
    const mid = a!.id;
    const one = async <T>(q: Promise<T[]>) => (await q)[0]!;
    const branch = (m: string, name: string) =>
      one(sql<{ id: string }[]>`insert into branches (merchant_id, name) values (${m}, ${name}) returning id`);
    const [b1, b2, zb] = [await branch(mid, 'A1'), await branch(mid, 'A2'), await branch(z!.id, 'Z1')];
    const station = (m: string, b: string) =>
      one(sql<{ id: string }[]>`insert into stations (merchant_id, branch_id, code, name)
                                values (${m}, ${b}, 'grill', 'Grill') returning id`);
    const [s1, s2] = [await station(mid, b1.id), await station(mid, b2.id)];
    const staff = (m: string, branches: string[]) =>
      sql<{ id: string }[]>`insert into staff_users (merchant_id, email, name, roles, branch_ids)
        values (${m}, ${`s${Math.random()}@x.test`}, 'S', '{cashier}', ${sql.array(branches)}::bigint[]) returning id`;
    const [own] = await staff(mid, [b1.id, b2.id]);
    const [other] = await staff(z!.id, [zb.id]);
    await expect(staff(mid, [b1.id, zb.id])).rejects.toThrow(/branch of this staff user does not exist/);
    await expect(
      sql`update staff_users set branch_ids = ${sql.array([zb.id])}::bigint[] where id = ${own!.id}`,
    ).rejects.toThrow(/branch of this staff user/);
    const terminal = (b: string | null, stations: string[]) =>
      sql`insert into terminals (merchant_id, branch_id, kind, name, station_ids)
          values (${mid}, ${b}, 'kds', 'KDS', ${sql.array(stations)}::bigint[])`;
    await terminal(b1.id, [s1.id]);
    await terminal(null, [s1.id, s2.id]);
    await expect(terminal(b1.id, [s2.id])).rejects.toThrow(/station of this terminal does not exist/);

    const [l] = await sql<{ id: string }[]>`insert into locations (merchant_id, branch_id, name)
                                           values (${mid}, ${b1.id}, 'Store') returning id`;
    const product = (name: string) =>
      one(sql<{ id: string }[]>`insert into products (merchant_id, name) values (${mid}, ${name}) returning id`);
    const [burger, fries] = [await product('Burger'), await product('Fries')];
    const [v] = await sql<
      { id: string }[]
    >`insert into product_variants (merchant_id, product_id, sku, price_amount, currency)
                                           values (${mid}, ${burger.id}, 'REF-B', 500, 'USD') returning id`;
    const order = (createdBy: string | null) =>
      sql<{ id: string }[]>`insert into orders (merchant_id, branch_id, location_id, channel, currency, subtotal_amount,
                                                total_amount, line_count, created_by)
        values (${mid}, ${b1.id}, ${l!.id}, 'pos', 'USD', 500, 500, 1, ${createdBy}) returning id`;
    await expect(order(other!.id)).rejects.toThrow(/orders_created_by_fkey/);
    const [o] = await order(own!.id);
    const line = (productId: string) => sql`insert into order_lines
      (merchant_id, order_id, line_no, variant_id, product_id, product_name, variant_name, sku, unit_price_amount, currency,
       quantity, line_total_amount)
      values (${mid}, ${o!.id}, 1, ${v!.id}, ${productId}, 'Burger', '', 'REF-B', 500, 'USD', 1, 500)`;
    await expect(line(fries.id)).rejects.toThrow(/order_lines_variant_fkey/);
    await line(burger.id);
    await expect(
      sql`insert into stock_movements (merchant_id, variant_id, location_id, reason, quantity, on_hand_after, actor_id)
          values (${mid}, ${v!.id}, ${l!.id}, 'receipt', 1, 1, ${other!.id})`,
    ).rejects.toThrow(/stock_movements_actor_fkey/);
  });
});
