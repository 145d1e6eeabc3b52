/**
 * The crash test: cdc runs as its own process (main.ts) publishing to the Redis bus, is killed with
 * SIGKILL in the middle of a 20,000-change stream, and restarted. Every change must reach the bus
 * history exactly once: nothing lost (the slot resumes from the last confirmed commit) and nothing
 * appended twice (replayed batches carry the same event ids and the bus dedupes them).
 *
 * The kill is timed so the second half is really exercised: the process is frozen (SIGSTOP) and
 * killed only when the bus already holds events of commits the slot has not confirmed, so the
 * restart must send those again; the restarted process's `cdc_bus_duplicates_total` counts them.
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

/** A pg_lsn (`16/B374D848`) as a number. */
function pgLsn(text: string): bigint {
  const [hi, lo] = text.split('/');
  return (BigInt(`0x${hi}`) << 32n) | BigInt(`0x${lo}`);
}

/** The commit LSN in a pg position (`00000016B374D848/00000003`), the number the slot is confirmed to. */
const commitLsn = (position: string): bigint => BigInt(`0x${position.slice(0, 16)}`);

async function confirmedLsn(): Promise<bigint> {
  const [row] = await db.sql<{ lsn: string }[]>`
    select confirmed_flush_lsn::text as lsn from pg_replication_slots where slot_name = 'cdc_crash'`;
  return pgLsn(row!.lsn);
}

/** The slot's confirmed LSN and the commit LSN of the newest event on the bus. */
async function slotAndBus(): Promise<{ confirmed: bigint; published: bigint }> {
  const confirmed = await confirmedLsn(); // first: the bus can only be further ahead by the time it is read
  const head = await reader.head(topic);
  const last = await reader.history(topic, { epoch: head.epoch, seq: head.seq - 1 }, 1);
  if (!last.recovered || last.entries.length === 0) return { confirmed, published: 0n };
  return { confirmed, published: commitLsn(last.entries[0]!.event.position) };
}

/**
 * Kills the process at a moment when the bus holds events past the slot's confirmed LSN: freezes it
 * when that looks so, lets whatever it had already sent land (a publish Redis already has, a status
 * update Postgres already has), and kills it if it still is so; otherwise thaws it and tries again.
 */
async function killAheadOfSlot(child: ChildProcess): Promise<bigint> {
  for (;;) {
    await waitUntil(
      async () => {
        const { confirmed, published } = await slotAndBus();
        return published > confirmed;
      },
      'the bus ahead of the slot',
      60_000,
    );
    child.kill('SIGSTOP');
    await new Promise((r) => setTimeout(r, 300));
    const { confirmed, published } = await slotAndBus();
    if (published > confirmed) {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      return confirmed;
    }
    child.kill('SIGCONT');
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
  it('delivers every one of 20,000 changes exactly once after a restart that re-sent some', {
    timeout: 120_000,
  }, async () => {
    const port = await freePort();
    const first = await startCdc(port);

    const producer = (async () => {
      for (let i = 0; i < TRANSACTIONS; i++)
        await db.sql`update inventory_levels set on_hand = on_hand + 1 where merchant_id = ${merchantId}`;
    })();
    await waitUntil(async () => (await reader.head(topic)).seq >= 4_000, 'first events on the bus', 60_000);
    const confirmedAtKill = await killAheadOfSlot(first);
    const onBusAtKill = await readAll();
    expect(onBusAtKill.length).toBeLessThan(TOTAL);
    // what the restart must send again: events already on the bus whose commit the slot had not confirmed
    const unconfirmed = onBusAtKill.filter((e) => commitLsn(e.event.position) > confirmedAtKill);
    expect(unconfirmed.length).toBeGreaterThan(0);
    // the dead process confirmed nothing more: the restart starts from there
    await waitUntil(
      async () => {
        const [row] = await db.sql<{ active: boolean }[]>`
          select active from pg_replication_slots where slot_name = 'cdc_crash'`;
        return row?.active === false;
      },
      'the slot released',
      30_000,
    );
    expect(await confirmedLsn()).toBe(confirmedAtKill);

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
    // the restart did re-send them, and the bus skipped exactly those
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const duplicates = Number(/^cdc_bus_duplicates_total (\d+)$/m.exec(metrics)?.[1]);
    expect(duplicates).toBe(unconfirmed.length);
    second.kill('SIGTERM');
    await new Promise((r) => second.once('exit', r));

    const entries = await readAll();
    expect((await reader.head(topic)).seq).toBe(TOTAL);
    expect(entries).toHaveLength(TOTAL);
    expect(new Set(entries.map((e) => e.event.id)).size).toBe(TOTAL);
    // the re-sent events sit in history once, where they were first appended
    expect(entries.slice(0, onBusAtKill.length).map((e) => e.event.id)).toEqual(onBusAtKill.map((e) => e.event.id));
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
