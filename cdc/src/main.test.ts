/**
 * The crash test: cdc runs as its own process (main.ts) publishing to the Redis bus, is killed with
 * SIGKILL in the middle of a 20,000-change stream, and restarted. Every change must reach the bus
 * history exactly once: nothing lost (the slot resumes from the last confirmed commit) and nothing
 * appended twice (replayed batches carry the same event ids and the bus dedupes them).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type BusEntry, RedisBus } from '@commerce/hub/bus';
import { freePort } from '@commerce/infra';
import { createTestDatabase, testKeyPrefix, testRedisUrl } from '@commerce/infra/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StockEventEntity } from './router/entities.ts';

const LEVELS = 100;
const TRANSACTIONS = 200; // × LEVELS rows each = 20,000 changes
const TOTAL = LEVELS * TRANSACTIONS;
const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

const db = await createTestDatabase();
const keyPrefix = testKeyPrefix();
const reader = new RedisBus({ url: testRedisUrl(), keyPrefix, historyMax: TOTAL + 5_000, dedupeWindow: 2 * TOTAL });
const children = new Set<ChildProcess>();
let merchantId = '';
let topic = '';

beforeAll(async () => {
  await reader.start();
  const [m] = await db.sql<{ id: string }[]>`insert into merchants (slug, name) values ('crash', 'Crash') returning id`;
  merchantId = m!.id;
  topic = `m:${merchantId}:stock`;
  await db.sql.begin(async (tx) => {
    const [p] = await tx<
      { id: string }[]
    >`insert into products (merchant_id, name) values (${merchantId}, 'Bolt') returning id`;
    const [l] = await tx<
      { id: string }[]
    >`insert into locations (merchant_id, name) values (${merchantId}, 'Store') returning id`;
    await tx`
      with v as (
        insert into product_variants (merchant_id, product_id, sku, price_amount, currency)
        select ${merchantId}, ${p!.id}, 'BOLT-' || g, 100, 'USD' from generate_series(1, ${LEVELS}) g
        returning id)
      insert into inventory_levels (merchant_id, variant_id, location_id, on_hand, low_stock_threshold)
      select ${merchantId}, v.id, ${l!.id}, 10, 0 from v`;
  });
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await reader.stop();
  await db.drop();
});

async function startCdc(httpPort: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: {
      ...process.env,
      DATABASE_URL: db.url,
      CDC_SLOT: 'cdc_crash',
      BUS_DRIVER: 'redis',
      REDIS_URL: testRedisUrl(),
      REDIS_KEY_PREFIX: keyPrefix,
      BUS_HISTORY_MAX: String(TOTAL + 5_000),
      BUS_DEDUPE_WINDOW: String(2 * TOTAL),
      CDC_BATCH_MAX_CHANGES: '2000',
      CDC_HTTP_PORT: String(httpPort),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`cdc exited with ${child.exitCode}: ${stderr}`);
    const ready = await fetch(`http://127.0.0.1:${httpPort}/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return child;
    if (Date.now() > deadline) throw new Error(`cdc did not become ready: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function waitUntil(probe: () => Promise<boolean>, what: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function readAll(): Promise<BusEntry[]> {
  const head = await reader.head(topic);
  const entries: BusEntry[] = [];
  while (entries.length < head.seq) {
    const page = await reader.history(topic, { epoch: head.epoch, seq: entries.length }, 1000);
    if (!page.recovered) throw new Error(`history lost: ${page.reason}`);
    if (page.entries.length === 0) break;
    entries.push(...page.entries);
  }
  return entries;
}

describe('cdc process killed with SIGKILL mid-stream', () => {
  it('delivers every one of 20,000 changes exactly once after a restart', { timeout: 120_000 }, async () => {
    const port = await freePort();
    const first = await startCdc(port);

    const producer = (async () => {
      for (let i = 0; i < TRANSACTIONS; i++)
        await db.sql`update inventory_levels set on_hand = on_hand + 1 where merchant_id = ${merchantId}`;
    })();
    await waitUntil(async () => (await reader.head(topic)).seq >= 4_000, 'first events on the bus', 60_000);
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const atKill = (await reader.head(topic)).seq;
    expect(atKill).toBeLessThan(TOTAL);

    await producer;
    const [end] = await db.sql<{ lsn: string }[]>`select pg_current_wal_lsn()::text as lsn`;
    const second = await startCdc(port);
    await waitUntil(async () => (await reader.head(topic)).seq >= TOTAL, 'all changes on the bus', 60_000);
    // everything up to the producer's last commit confirmed: nothing more can arrive for this stream
    await waitUntil(
      async () => {
        const [row] = await db.sql<{ done: boolean }[]>`
          select confirmed_flush_lsn >= ${end!.lsn}::pg_lsn as done from pg_replication_slots where slot_name = 'cdc_crash'`;
        return row?.done === true;
      },
      'slot confirmed past the stream',
      30_000,
    );
    second.kill('SIGTERM');
    await new Promise((r) => second.once('exit', r));

    const entries = await readAll();
    expect((await reader.head(topic)).seq).toBe(TOTAL);
    expect(entries).toHaveLength(TOTAL);
    expect(new Set(entries.map((e) => e.event.id)).size).toBe(TOTAL);
    // each level went 10 → 11 → … → 210: every step exactly once, in commit order per level
    const byLevel = new Map<string, number[]>();
    for (const e of entries) {
      const s = e.event.entity as unknown as StockEventEntity;
      const seen = byLevel.get(s.levelId) ?? [];
      seen.push(s.onHand);
      byLevel.set(s.levelId, seen);
    }
    expect(byLevel.size).toBe(LEVELS);
    const expected = Array.from({ length: TRANSACTIONS }, (_, i) => 11 + i);
    for (const steps of byLevel.values()) expect(steps).toEqual(expected);
  });
});
