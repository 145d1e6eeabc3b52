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
});
