/**
 * `npm run bench:cdc`: cdc's pgoutput pipeline (slot → decode → router → bus) on its own embedded
 * Postgres, with the in-process bus that `npm start` uses.
 *   1. latency: 500 single-row commits/s for 10 s from a separate process; time from sending the
 *      commit to the stock.changed event being published on the bus (the bus listener fires), p50/p99.
 *   2. throughput: 200,000 row changes (2,000 transactions × 100 rows) committed while cdc is
 *      stopped, then cdc started: changes/s until the last event is published (a catch-up run).
 *      Diagnostic: the same with bus.publish a no-op, from its own slot.
 *   3. baseline: pg-logical-replication's own parser and flow control draining the same backlog
 *      from a second slot, with no sinks at all.
 * Lost = commits whose event never reached the bus (either run).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '@commerce/common';
import { type Bus, createBus } from '@commerce/hub/bus';
import { runMigrations, startEmbeddedPostgres } from '@commerce/infra';
import { pino } from 'pino';
import postgres from 'postgres';
import { cdcConfigSchema } from '../config.ts';
import { createCdc } from '../create-cdc.ts';
import type { StockEventEntity } from '../router/entities.ts';
import { baselineDrain } from './baseline-drain.ts';
import { nowMs, ON_HAND_BASE, percentile, round } from './stats.ts';

const RATE = Number(process.env.BENCH_RATE ?? 500);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const LEVELS = 1_000;
const BACKLOG_TX = Number(process.env.BENCH_BACKLOG_TX ?? 2_000);
const ROWS_PER_TX = 100;
const PRODUCER = fileURLToPath(new URL('./load-producer.ts', import.meta.url));

const root = await mkdtemp(join(tmpdir(), 'cdc-bench-'));
const pg = await startEmbeddedPostgres({ dataDir: join(root, 'pg') });
const admin = postgres(pg.url, { max: 1, onnotice: () => {} });
await admin.unsafe('create database bench');
await admin.end();
const url = pg.urlFor('bench');
const sql = postgres(url, { max: 8, onnotice: () => {} });
await runMigrations(sql);

const [settings] = await sql<{ version: string; fsync: string; sync: string }[]>`
  select current_setting('server_version') as version, current_setting('fsync') as fsync,
         current_setting('synchronous_commit') as sync`;
console.log(
  `conditions: ${cpus().length} cores (${cpus()[0]?.model}), node ${process.version}, Postgres ${settings!.version} embedded ` +
    `(fsync=${settings!.fsync}, synchronous_commit=${settings!.sync}, wal_level=logical) on the same machine, in-process memory bus; load average before start ${loadavg()
      .map((n) => n.toFixed(2))
      .join(' ')}`,
);

// one merchant, LEVELS stock levels (threshold 0: every change is one stock.changed, no alerts)
const [m] = await sql<{ id: string }[]>`insert into merchants (slug, name) values ('bench', 'Bench') returning id`;
const merchantId = m!.id;
const [p] = await sql<
  { id: string }[]
>`insert into products (merchant_id, name) values (${merchantId}, 'Item') returning id`;
const [l] = await sql<
  { id: string }[]
>`insert into locations (merchant_id, name) values (${merchantId}, 'Store') returning id`;
const levelIds = (
  await sql<{ id: string }[]>`
    with v as (
      insert into product_variants (merchant_id, product_id, sku, price_amount, currency)
      select ${merchantId}, ${p!.id}, 'SKU-' || g, 100, 'USD' from generate_series(1, ${LEVELS}) g returning id)
    insert into inventory_levels (merchant_id, variant_id, location_id, on_hand, low_stock_threshold)
    select ${merchantId}, v.id, ${l!.id}, 10, 0 from v returning id::text as id`
).map((r) => r.id);

// the bus as `npm start` builds it: createBus defaults (history 10,000 per topic, dedupe window twice that)
const bus = createBus({ driver: 'memory' });
const topic = `m:${merchantId}:stock`;
let onEvent: (entity: StockEventEntity, at: number) => void = () => {};
await bus.subscribe(topic, (entry) => onEvent(entry.event.entity as unknown as StockEventEntity, nowMs()));
const config = parseConfig(cdcConfigSchema, { DATABASE_URL: url, CDC_SLOT: 'bench_ours', BUS_DRIVER: 'memory' });
const logger = pino({ level: 'warn' });

// ---- 1. latency at RATE commits/s ------------------------------------------------------------
const cdc = createCdc({ config, logger, bus, sql });
await cdc.start();
const arrivals = new Map<number, number>();
onEvent = (entity, at) => {
  if (entity.onHand >= ON_HAND_BASE) arrivals.set(entity.onHand - ON_HAND_BASE, at);
};
const producer = spawn(
  process.execPath,
  ['--import', 'tsx', PRODUCER, url, String(RATE), String(SECONDS), levelIds.join(',')],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
let producerOut = '';
producer.stdout.on('data', (chunk: Buffer) => {
  producerOut += chunk.toString();
});
await new Promise((resolve) => producer.once('exit', resolve));
const load = JSON.parse(producerOut) as {
  sentAt: number[];
  ackedAt: Array<number | null>;
  failed: number;
  elapsedS: number;
};
const commits = load.sentAt.length;
const drainDeadline = nowMs() + 10_000;
while (arrivals.size < commits && nowMs() < drainDeadline) await new Promise((r) => setTimeout(r, 20));
const latencies = load.sentAt.flatMap((sent, i) => {
  const at = arrivals.get(i);
  return at === undefined ? [] : [Math.max(0, at - sent)];
});
const latencyLost = commits - latencies.length;
const roundTrips = load.sentAt.flatMap((sent, i) => (load.ackedAt[i] ? [load.ackedAt[i]! - sent] : []));
const afterAck = load.sentAt.flatMap((_sent, i) => {
  const at = arrivals.get(i);
  return at === undefined || !load.ackedAt[i] ? [] : [at - load.ackedAt[i]!];
});
const p50 = percentile(latencies, 50);
const p99 = percentile(latencies, 99);
console.log(
  `latency: ${commits} commits at ${round(commits / load.elapsedS, 1)} commits/s (target ${RATE}), ` +
    `commit sent → published p50 ${round(p50)} ms, p99 ${round(p99)} ms, max ${round(Math.max(...latencies))} ms, lost ${latencyLost}, failed commits ${load.failed}`,
);
console.log(
  `         for context: the commit's own round trip (sent → acknowledged to the client) p50 ${round(percentile(roundTrips, 50))} ms, ` +
    `p99 ${round(percentile(roundTrips, 99))} ms; published after the client saw the commit: p50 ${round(percentile(afterAck, 50))} ms, p99 ${round(percentile(afterAck, 99))} ms`,
);
await cdc.stop();

// ---- 2. throughput: a backlog of BACKLOG_TX × ROWS_PER_TX changes -----------------------------
for (const slot of ['bench_nobus', 'bench_baseline'])
  await sql`select pg_create_logical_replication_slot(${slot}, 'pgoutput')`;
const backlog = BACKLOG_TX * ROWS_PER_TX;
const chunks = Array.from({ length: LEVELS / ROWS_PER_TX }, (_, i) =>
  levelIds.slice(i * ROWS_PER_TX, (i + 1) * ROWS_PER_TX),
);
const producedStart = nowMs();
let next = 0;
await Promise.all(
  Array.from({ length: 4 }, async () => {
    while (next < BACKLOG_TX) {
      const i = next++;
      await sql`update inventory_levels set on_hand = on_hand + 1 where id = any(${chunks[i % chunks.length]!}::bigint[])`;
    }
  }),
);
console.log(
  `backlog: ${backlog} changes in ${BACKLOG_TX} transactions committed in ${round((nowMs() - producedStart) / 1000)} s`,
);

let published = 0;
let lastAt = 0;
onEvent = (_entity, at) => {
  published++;
  lastAt = at;
};
async function drain(slot: string, target: Pick<Bus, 'publish'>): Promise<{ seconds: number; published: number }> {
  published = 0;
  const start = nowMs();
  const slotConfig = parseConfig(cdcConfigSchema, { DATABASE_URL: url, CDC_SLOT: slot, BUS_DRIVER: 'memory' });
  const runner = createCdc({ config: slotConfig, logger, bus: target, sql });
  await runner.start();
  const deadline = nowMs() + 180_000;
  while (published < backlog && nowMs() < deadline) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 300)); // anything more would be a duplicate
  await runner.stop();
  return { seconds: (lastAt - start) / 1000, published };
}
const ours = await drain('bench_ours', bus);
const changesPerS = backlog / ours.seconds;
const throughputLost = Math.max(0, backlog - ours.published);
console.log(
  `throughput (ours): ${ours.published} of ${backlog} changes published in ${round(ours.seconds)} s = ${Math.round(changesPerS)} changes/s ` +
    `(from cdc start: connecting and Postgres decoding the backlog included), lost ${throughputLost}, extra ${Math.max(0, ours.published - backlog)}`,
);
// diagnostic: the same pipeline with bus.publish replaced by a counter, to show the bus's share
const counting: Pick<Bus, 'publish'> = {
  async publish(events) {
    published += events.length;
    lastAt = nowMs();
    return { appended: events.length, duplicates: 0 };
  },
};
const noBus = await drain('bench_nobus', counting);
console.log(
  `         diagnostic, same pipeline with bus.publish a no-op: ${Math.round(backlog / noBus.seconds)} changes/s ` +
    `(the rest of the difference is MemoryBus.publish)`,
);

// ---- 3. baseline ----------------------------------------------------------------------------
const baseline = await baselineDrain(url, 'bench_baseline', 'commerce_cdc', backlog);
const baselinePerS = baseline.changes / baseline.seconds;
console.log(
  `throughput (baseline: pg-logical-replication parser + flow control, no sinks): ${baseline.changes} changes in ` +
    `${round(baseline.seconds)} s = ${Math.round(baselinePerS)} changes/s`,
);
console.log(
  `target: >= 30000 changes/s, p99 <= 10 ms at 500 commits/s, lost 0 (load average now ${loadavg()[0]!.toFixed(2)})`,
);

await sql`select pg_drop_replication_slot(slot_name) from pg_replication_slots where not active`;
await sql.end();
await pg.stop();
await rm(root, { recursive: true, force: true });

console.log(
  `BENCH ${JSON.stringify({
    bench: 'cdc',
    changes_per_s: Math.round(changesPerS),
    p50_ms: round(p50),
    p99_ms: round(p99),
    lost: latencyLost + throughputLost,
    p99_after_commit_ms: round(percentile(afterAck, 99)),
    commits_per_s: round(commits / load.elapsedS, 1),
    baseline_changes_per_s: Math.round(baselinePerS),
  })}`,
);
process.exit(0);
