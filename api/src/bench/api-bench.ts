import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTokenSigner } from '@commerce/common';
import { freePort, parsePgSettings, runMigrations, startEmbeddedPostgres } from '@commerce/infra';
import autocannon from 'autocannon';
import postgres from 'postgres';
import { es256Keys } from '../testing/fixtures.ts';
import { type BenchCatalog, CATALOG_SIZE, FLASH_UNITS, HISTORY_ORDERS, seedBench } from './bench-seed.ts';
import { cpuSeconds, postmasterPid } from './cpu-usage.ts';

/**
 * `npm run bench -w api` (root alias bench:api): its own embedded Postgres, the real api in a child
 * process, autocannon in this one. Order creation with reservation at concurrency 64 for 20 s, a
 * flash sale (5,000 orders at once for 1,000 units), and the same load on a baseline route that does
 * the identical work one statement per round trip.
 */
const MAIN = { connections: 64, duration: Number(process.env.BENCH_DURATION ?? 20) };
const BASELINE = { connections: 64, duration: Math.ceil(MAIN.duration / 2) };
const FLASH_ATTEMPTS = 5000;
const POOL = Number(process.env.BENCH_POOL ?? 12);
// BENCH_PG_STATS=1 loads pg_stat_statements and prints where the database time went
const PG_STATS = process.env.BENCH_PG_STATS === '1';
const PG_SETTINGS: Record<string, string> = {
  ...(PG_STATS ? { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track': 'all' } : {}),
  max_connections: '300',
  shared_buffers: '256MB',
  // durability as shipped (fsync on, synchronous_commit on) unless BENCH_PG_SETTINGS overrides
  ...parsePgSettings(process.env.BENCH_PG_SETTINGS),
};

const root = await mkdtemp(join(tmpdir(), 'api-bench-'));
// lock waits that Postgres logs (when BENCH_PG_SETTINGS turns on log_lock_waits)
const lockWaits: string[] = [];
const pg = await startEmbeddedPostgres({
  dataDir: join(root, 'pg'),
  settings: PG_SETTINGS,
  onLog: (line) => {
    if (/still waiting|acquired|deadlock/.test(line)) lockWaits.push(line);
  },
});
let child: ChildProcess | undefined;
try {
  const admin = postgres(pg.url, { max: 1, onnotice: () => {} });
  await admin.unsafe('create database bench');
  await admin.end();
  const dbUrl = pg.urlFor('bench');
  const sql = postgres(dbUrl, { max: 4, onnotice: () => {} });
  await runMigrations(sql);
  const catalog = await seedBench(sql);
  const keys = await es256Keys();
  const sign = await createTokenSigner({ privateKeyPem: keys.privateKeyPem, issuer: 'bench', audience: 'bench' });
  const token = await sign({
    kind: 'staff',
    id: catalog.cashierId,
    merchantId: catalog.merchantId,
    roles: ['cashier'],
    ttlSeconds: 3600,
  });

  const port = await freePort();
  child = fork(fileURLToPath(new URL('./bench-server.ts', import.meta.url)), [], {
    // BENCH_API_PROFILE=<dir> writes a V8 CPU profile of the api process there
    execArgv: [
      '--import',
      'tsx',
      ...(process.env.BENCH_API_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_API_PROFILE}`] : []),
    ],
    env: {
      ...process.env,
      API_PORT: String(port),
      DATABASE_URL: dbUrl,
      DATABASE_POOL_MAX: String(POOL),
      AUTH_JWT_PUBLIC_KEY: keys.publicKeyPem,
      AUTH_JWT_PRIVATE_KEY: keys.privateKeyPem,
      AUTH_JWT_ISSUER: 'bench',
      AUTH_JWT_AUDIENCE: 'bench',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child!.once('message', (m) => resolve((m as { ready: string }).ready));
    child!.once('exit', (code) => reject(new Error(`api exited with ${code}`)));
  });

  const [settings] = await sql<{ fsync: string; synchronous_commit: string; wal_level: string; version: string }[]>`
    select current_setting('fsync') as fsync, current_setting('synchronous_commit') as synchronous_commit,
           current_setting('wal_level') as wal_level, current_setting('server_version') as version`;
  console.log('api bench — conditions');
  console.log(
    `  machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), node ${process.version}; api, Postgres and autocannon share it`,
  );
  console.log(
    `  postgres ${settings!.version} embedded: fsync=${settings!.fsync} synchronous_commit=${settings!.synchronous_commit} wal_level=${settings!.wal_level}`,
  );
  console.log(
    `  api: one process, pool ${POOL}; ES256 bearer token (verified once, then cached); responses not schema-checked`,
  );
  console.log(
    `  catalog: ${CATALOG_SIZE} variants, 3 stations, ${HISTORY_ORDERS} past orders (analyzed); each order 1-4 lines, 1-3 each, tickets per station`,
  );
  console.log(`  machine load before the run (1-min load average, others share it): ${loadavg()[0]!.toFixed(1)}`);
  console.log(
    `  load: autocannon, ${MAIN.connections} connections, ${MAIN.duration} s, a fresh Idempotency-Key per order (after a 3 s warm-up)`,
  );

  const orderBody = (catalogIds: string[]) => {
    const lines = Array.from({ length: 1 + Math.floor(Math.random() * 4) }, () => ({
      variant_id: catalogIds[Math.floor(Math.random() * catalogIds.length)]!,
      quantity: 1 + Math.floor(Math.random() * 3),
    }));
    return JSON.stringify({ channel: 'pos', branch_id: catalog.branchId, table_label: 'T1', lines });
  };
  const pgPid = postmasterPid(join(root, 'pg'));
  const cpu = () => ({ api: cpuSeconds(child!.pid!), pg: cpuSeconds(pgPid), bench: process.cpuUsage() });
  const cpuPerOrder = (before: ReturnType<typeof cpu>, r: autocannon.Result) => {
    const after = cpu();
    const n = Math.max(1, r.statusCodeStats?.['201']?.count ?? 0);
    const bench = process.cpuUsage(before.bench);
    return {
      api: ((after.api - before.api) * 1000) / n,
      pg: ((after.pg - before.pg) * 1000) / n,
      bench: (bench.user + bench.system) / 1000 / n,
    };
  };
  const measured = async (path: string, opts: { connections: number; duration: number }, withKey: boolean) => {
    const before = cpu();
    const result = await load(path, opts, withKey);
    return { result, cpu: cpuPerOrder(before, result) };
  };
  const load = (path: string, opts: { connections: number; duration: number }, withKey: boolean) =>
    autocannon({
      url,
      connections: opts.connections,
      duration: opts.duration,
      requests: [
        {
          method: 'POST',
          path,
          setupRequest: (req) => ({
            ...req,
            headers: {
              authorization: `Bearer ${token}`,
              'content-type': 'application/json',
              ...(withKey ? { 'idempotency-key': randomUUID() } : {}),
            },
            body: orderBody(catalog.variantIds),
          }),
        },
      ],
    });

  await load('/orders', { connections: 16, duration: 3 }, true);
  if (PG_STATS)
    await sql`create extension if not exists pg_stat_statements`.then(() => sql`select pg_stat_statements_reset()`);
  const waits = process.env.BENCH_PG_WAITS === '1' ? sampleWaits(sql) : null;
  const batchesBefore = await batchSizes(url);
  const { result: ours, cpu: oursCpu } = await measured('/orders', MAIN, true);
  const batches = describeBatches(batchesBefore, await batchSizes(url));
  if (waits) console.log(await waits.stop());
  const { result: oursNoKey, cpu: oursNoKeyCpu } = await measured('/orders', BASELINE, false);
  const { result: baseline, cpu: baselineCpu } = await measured('/bench/naive-orders', BASELINE, false);
  if (PG_STATS) await printStatementStats(sql, ours.statusCodeStats?.['201']?.count ?? 1);
  const flash = await flashSale(url, token, catalog);
  const check = await verifyFlash(sql, catalog, flash.succeeded);

  const row = (name: string, r: autocannon.Result, c: ReturnType<typeof cpuPerOrder>) => {
    const created = r.statusCodeStats?.['201']?.count ?? 0;
    const other = r.requests.total ? r.requests.total - created : 0;
    const cpuText = `cpu/order: api ${c.api.toFixed(2)} ms, postgres ${c.pg.toFixed(2)} ms, autocannon ${c.bench.toFixed(2)} ms`;
    return `  ${name.padEnd(44)} ${(created / r.duration).toFixed(0).padStart(6)} orders/s  p50 ${String(r.latency.p50).padStart(4)} ms  p99 ${String(r.latency.p99).padStart(4)} ms  non-201 ${other}  errors ${r.errors}  ${cpuText}`;
  };
  console.log('\nresults');
  console.log(row(`ours: one SQL call, Idempotency-Key (${MAIN.duration} s)`, ours, oursCpu));
  console.log(row(`ours: one SQL call, no key (${BASELINE.duration} s)`, oursNoKey, oursNoKeyCpu));
  console.log(row(`baseline: statement per round trip (${BASELINE.duration} s)`, baseline, baselineCpu));
  console.log(
    `  flash sale: ${FLASH_ATTEMPTS} concurrent orders for ${FLASH_UNITS} units → ${flash.succeeded} created, ${flash.refused} refused (409), ${flash.other} other, in ${flash.ms} ms`,
  );
  console.log(
    `  stock after: on_hand ${check.on_hand}, reserved ${check.reserved}, available ${check.available}; order lines for it ${check.lines}`,
  );
  const [stats] = await sql<{ deadlocks: number }[]>`
    select deadlocks::int from pg_stat_database where datname = current_database()`;
  if (lockWaits.length > 0) {
    console.log(`  ${lockWaits.length} lock-wait log lines, e.g.:\n    ${lockWaits.slice(0, 6).join('\n    ')}`);
  }
  console.log(
    `  deadlocks ${stats!.deadlocks}; main run latency p97.5 ${ours.latency.p97_5} ms, max ${ours.latency.max} ms`,
  );
  console.log(`  main run batches (api_order_batch_size): ${batches}`);

  const created = ours.statusCodeStats?.['201']?.count ?? 0;
  const result = {
    bench: 'api',
    orders_per_s: Math.round(created / ours.duration),
    p50_ms: ours.latency.p50,
    p99_ms: ours.latency.p99,
    flash_attempts: FLASH_ATTEMPTS,
    flash_succeeded: flash.succeeded,
    oversold: check.oversold,
  };
  await sql.end();
  console.log(`BENCH ${JSON.stringify(result)}`);
} finally {
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await new Promise((resolve) => child!.once('exit', resolve));
  }
  await pg.stop();
  await rm(root, { recursive: true, force: true });
}

/** 5,000 orders for the flash SKU at once, each on its own connection. */
async function flashSale(url: string, token: string, catalog: BenchCatalog) {
  const started = performance.now();
  const result = await autocannon({
    url,
    connections: FLASH_ATTEMPTS,
    amount: FLASH_ATTEMPTS,
    timeout: 60,
    requests: [
      {
        method: 'POST',
        path: '/orders',
        setupRequest: (req) => ({
          ...req,
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            'idempotency-key': randomUUID(),
          },
          body: JSON.stringify({
            channel: 'online',
            branch_id: catalog.branchId,
            lines: [{ variant_id: catalog.flashVariantId, quantity: 1 }],
          }),
        }),
      },
    ],
  });
  const succeeded = result.statusCodeStats?.['201']?.count ?? 0;
  const refused = result.statusCodeStats?.['409']?.count ?? 0;
  return {
    succeeded,
    refused,
    other: result.requests.total - succeeded - refused + result.errors,
    ms: Math.round(performance.now() - started),
  };
}

/** Oversold = units promised beyond what was on hand, counted from the orders themselves. */
async function verifyFlash(sql: postgres.Sql, catalog: BenchCatalog, succeeded: number) {
  const [row] = await sql<{ on_hand: number; reserved: number; available: number; lines: number; negatives: number }[]>`
    select il.on_hand, il.reserved, il.available,
           (select coalesce(sum(quantity), 0)::int from order_lines where variant_id = ${catalog.flashVariantId}) as lines,
           (select count(*)::int from inventory_levels where on_hand < 0 or reserved < 0 or available < 0) as negatives
    from inventory_levels il where il.variant_id = ${catalog.flashVariantId}`;
  const r = row!;
  const oversold = Math.max(0, r.lines - r.on_hand) + Math.max(0, r.reserved - r.on_hand) + r.negatives;
  if (r.lines !== succeeded) console.log(`  note: ${succeeded} 201s but ${r.lines} units in order lines`);
  return { ...r, oversold };
}

async function printStatementStats(sql: postgres.Sql, orders: number): Promise<void> {
  const rows = await sql<{ calls: number; ms: number; query: string }[]>`
    select calls::int, total_exec_time::float8 as ms, regexp_replace(query, '[[:space:]]+', ' ', 'g') as query
    from pg_stat_statements order by total_exec_time desc limit 15`;
  console.log('\n  database time per created order, by statement (pg_stat_statements, nested included):');
  for (const r of rows) {
    console.log(
      `    ${(r.ms / orders).toFixed(3).padStart(7)} ms  ${String(r.calls).padStart(7)} calls  ${r.query.slice(0, 90)}`,
    );
  }
}

/**
 * BENCH_PG_WAITS=1: what the busy backends were doing during the main run, sampled every 5 ms
 * from pg_stat_activity (running on CPU, or the wait event: a row lock, the WAL flush, a client
 * read...). Costs a little CPU itself, so it is off by default.
 */
function sampleWaits(sql: postgres.Sql) {
  const tally = new Map<string, number>();
  let samples = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const rows = await sql<{ what: string; n: number }[]>`
        select coalesce(wait_event_type || ':' || wait_event, 'CPU') as what, count(*)::int as n
        from pg_stat_activity
        where backend_type = 'client backend' and state = 'active' and pid <> pg_backend_pid()
        group by 1`;
      samples++;
      for (const r of rows) tally.set(r.what, (tally.get(r.what) ?? 0) + r.n);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      const lines = [...tally.entries()]
        .sort((a, b) => b[1] - a[1])
        .map(([what, n]) => `    ${(n / samples).toFixed(2).padStart(6)}  ${what}`);
      return `  busy backends during the main run (average count per sample, ${samples} samples):\n${lines.join('\n')}`;
    },
  };
}

/** The api's batch-size histogram: cumulative counts by upper bound, plus sum and count. */
async function batchSizes(url: string): Promise<{ le: Map<string, number>; sum: number; count: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const le = new Map<string, number>();
  let sum = 0;
  let count = 0;
  for (const line of text.split('\n')) {
    const bucket = /^api_order_batch_size_bucket\{le="([^"]+)"\} (\d+)/.exec(line);
    if (bucket) le.set(bucket[1]!, Number(bucket[2]));
    else if (line.startsWith('api_order_batch_size_sum ')) sum = Number(line.split(' ')[1]);
    else if (line.startsWith('api_order_batch_size_count ')) count = Number(line.split(' ')[1]);
  }
  return { le, sum, count };
}

function describeBatches(
  before: Awaited<ReturnType<typeof batchSizes>>,
  after: Awaited<ReturnType<typeof batchSizes>>,
) {
  const count = after.count - before.count;
  if (count === 0) return 'none';
  const orders = after.sum - before.sum;
  const shares = [...after.le]
    .filter(([le]) => le !== '+Inf')
    .map(([le, n]) => `≤${le} ${(((n - (before.le.get(le) ?? 0)) / count) * 100).toFixed(0)}%`);
  return `${count} calls, ${(orders / count).toFixed(1)} orders per call; share of calls by size ${shares.join(', ')}`;
}
