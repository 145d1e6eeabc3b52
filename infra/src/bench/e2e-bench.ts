import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import type { CdcMetrics } from '@commerce/cdc';
import { parseConfig } from '@commerce/common';
import type { SearchIndexerStats } from '@commerce/search';
import { pino } from 'pino';
import { z } from 'zod';
import { freePort } from '../net.ts';
import { parsePgSettings } from '../postgres/pg-settings.ts';
import { fmtMs, type LatencySummary } from '../simulate/latency.ts';
import { bootEmbeddedSystem } from '../start/boot.ts';
import { startConfigSchema } from '../start/config.ts';
import { type ApiTail, analyze, type E2eResult, type GcTail, gcTail, saturationWarning } from './e2e-analysis.ts';
import { TerminalFleet } from './e2e-fleet.ts';
import { fmtLoop, type LoopDelay, watchEventLoop } from './e2e-loop.ts';
import {
  describePgActivity,
  describeStatements,
  PG_STATEMENTS_SETTINGS,
  pgSnapshot,
  resetStatements,
  statementSnapshot,
} from './e2e-pg-stats.ts';
import { describeNodeFlags, machineCpuSeconds, Proc, processCpuSeconds, processTreeCpuSeconds } from './e2e-procs.ts';
import { startCpuProfile, summarizeLargestProfile } from './e2e-profile.ts';
import type { LoadCommand, LoadReport } from './e2e-protocol.ts';
import { prepareE2e } from './e2e-setup.ts';
import { BusWatch } from './e2e-stages.ts';

/**
 * `npm run bench:e2e`: order committed through the api → decrypted on subscribed terminals, on the
 * embedded path (in-process bus) and with the Redis bus, each on a freshly booted embedded system.
 * The server parts share one process as `npm start` runs them (the api on a worker thread, the
 * rest on the main thread); the terminals and the order load
 * each run in their own process. Knobs: BENCH_RATE, BENCH_TERMINALS, BENCH_BRANCHES,
 * BENCH_DURATION (s), BENCH_WARMUP (s), BENCH_BUSES (memory,redis), BENCH_TERMINAL_PROCS (child processes
 * the terminals are spread over, default 1), BENCH_PG_STATEMENTS (0 turns
 * pg_stat_statements off), BENCH_CPU_PROF (a folder: write a CPU profile of the server process),
 * BENCH_DUMP (a path prefix: write every order's and delivery's times to <prefix>-<bus>.json),
 * BENCH_PG_SETTINGS (extra Postgres settings, `name=value,...`), API_THREAD (worker: the api in a
 * thread of its own, as `npm start` runs it; main: on the main thread with the other parts).
 */
const knobs = z
  .object({
    BENCH_RATE: z.coerce.number().positive().default(200),
    BENCH_TERMINALS: z.coerce.number().int().min(1).default(200),
    BENCH_BRANCHES: z.coerce.number().int().min(1).max(100).default(10),
    BENCH_DURATION: z.coerce.number().positive().default(20),
    BENCH_WARMUP: z.coerce.number().min(0).default(3),
    BENCH_GRACE: z.coerce.number().min(0).default(5),
    BENCH_MENU: z.coerce.number().int().min(1).default(40),
    BENCH_BUSES: z.string().default('memory,redis'),
    BENCH_TERMINAL_PROCS: z.coerce.number().int().min(1).max(16).default(1),
    BENCH_PG_STATEMENTS: z.enum(['0', '1']).default('1'),
    BENCH_CPU_PROF: z.string().optional(),
    BENCH_DUMP: z.string().optional(),
    /** extra Postgres settings, `name=value,name=value` */
    BENCH_PG_SETTINGS: z.string().optional(),
    /** where the api runs (start config API_THREAD): its own worker thread, or the main thread */
    API_THREAD: z.enum(['worker', 'main']).default('worker'),
  })
  .parse(process.env);
const pgSettings = parsePgSettings(knobs.BENCH_PG_SETTINGS);
const buses = knobs.BENCH_BUSES.split(',').map((b) => z.enum(['memory', 'redis']).parse(b.trim()));
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

interface Run {
  bus: 'memory' | 'redis';
  result: E2eResult;
  achievedPerS: number;
  failedOrders: number;
  maxInFlight: number;
  retried: number;
  failures: Record<string, number>;
  connectMs: number;
  rejected: number;
  reloads: number;
  disconnects: number;
  pgActivity: string[];
  /** pg_stat_statements, the CPU profile summary, cdc and search counters */
  details: string[];
  loopDelay: { server: LoopDelay; terminals: LoopDelay };
  /** the slowest 1% of deliveries against the long GC pauses of the server's main thread and the terminals */
  gcTail: GcTail | null;
  cpu: {
    server: number;
    postgres: number;
    /** Postgres by process kind: backends (queries), walsender (logical decoding), other */
    postgresByKind: Record<string, number>;
    terminals: number;
    load: number;
    seconds: number;
    machineBusy: number;
  };
  loadAvg: string;
}

async function runOnce(bus: 'memory' | 'redis'): Promise<Run> {
  const dataDir = await mkdtemp(join(tmpdir(), `commerce-e2e-${bus}-`));
  const config = parseConfig(startConfigSchema, {
    DATA_DIR: dataDir,
    PG_PORT: String(await freePort()),
    API_PORT: String(await freePort()),
    HUB_PORT: String(await freePort()),
    BUS_DRIVER: bus,
    API_THREAD: knobs.API_THREAD,
    SEED_RETAIL_PRODUCTS: '200',
    LOG_LEVEL: 'warn',
  });
  const logger = pino({ name: 'bench-e2e', level: 'warn' }, pino.destination(2));
  console.log(`\n[${bus}] booting the embedded system (bus ${bus}) in ${dataDir}...`);
  const statements = knobs.BENCH_PG_STATEMENTS === '1';
  const system = await bootEmbeddedSystem({
    config,
    logger,
    fresh: true,
    pgSettings: {
      ...(statements ? PG_STATEMENTS_SETTINGS : {}),
      ...pgSettings,
    },
  });
  const busWatch = new BusWatch();
  const profDir = knobs.BENCH_CPU_PROF;
  // one folder: tsx's loader thread writes a profile of its own beside the main thread's
  const terminalsProfiles = profDir ? join(profDir, `e2e-terminals-${bus}`) : '';
  const terminals = new TerminalFleet(knobs.BENCH_TERMINAL_PROCS, (i) =>
    profDir ? ['--cpu-prof', `--cpu-prof-dir=${terminalsProfiles}-${i}`] : [],
  );
  const details: string[] = [];
  const loader = new Proc<LoadCommand, LoadReport>('./e2e-load.ts');
  try {
    const plan = await prepareE2e(system, {
      branches: knobs.BENCH_BRANCHES,
      terminals: knobs.BENCH_TERMINALS,
      menuSize: knobs.BENCH_MENU,
      seed: 7,
    });
    console.log(`[${bus}] ${plan.terminals.length} terminals paired over ${plan.topicCount} topics; connecting...`);
    const connected = await terminals.connect(plan.hub.url, plan.hub.publicKey, plan.terminals);
    console.log(
      `[${bus}] ${connected.count} terminals connected and subscribed in ${(connected.ms / 1000).toFixed(1)} s; load average ${load()}`,
    );
    await busWatch.watch(system.parts.bus, [...new Set(plan.terminals.flatMap((t) => t.topics))]);
    const pgPid = Number((await readFile(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[0]);
    const pgBefore = await pgSnapshot(system.sql);
    const statementsOn = statements && (await resetStatements(system.sql));
    const cdcBefore = await cdcCounters(system.parts.cdc.metrics);
    const searchBefore = system.parts.search.indexer.stats();
    const profile = knobs.BENCH_CPU_PROF ? await startCpuProfile() : null;
    const loop = watchEventLoop();
    const before = {
      server: await processCpuSeconds(process.pid),
      postgres: await processTreeCpuSeconds(pgPid),
      terminals: await terminals.cpuSeconds(),
      load: await loader.cpuSeconds(),
      machine: await machineCpuSeconds(),
      at: performance.now(),
    };
    const totalMs = (knobs.BENCH_WARMUP + knobs.BENCH_DURATION) * 1000;
    console.log(
      `[${bus}] ${knobs.BENCH_RATE} orders/s: ${knobs.BENCH_WARMUP} s warm-up + ${knobs.BENCH_DURATION} s measured...`,
    );
    const done = await loader.request(
      {
        cmd: 'run',
        apiUrl: plan.apiUrl,
        branches: plan.branches,
        menu: plan.menu,
        ratePerS: knobs.BENCH_RATE,
        warmupMs: knobs.BENCH_WARMUP * 1000,
        durationMs: knobs.BENCH_DURATION * 1000,
        seed: 11,
      },
      'done',
      totalMs + 120_000,
    );
    const serverLoop = loop.stop();
    if (profile) details.push(...(await profile.stop(join(profDir!, `e2e-server-${bus}.cpuprofile`), 'server')));
    const after = {
      server: await processCpuSeconds(process.pid),
      postgres: await processTreeCpuSeconds(pgPid),
      terminals: await terminals.cpuSeconds(),
      load: await loader.cpuSeconds(),
      machine: await machineCpuSeconds(),
      at: performance.now(),
    };
    const loadAvg = load();
    // the statistics collector flushes about every second: wait for it before the second snapshot
    await new Promise((r) => setTimeout(r, 1_500));
    const pgActivity = describePgActivity(pgBefore, await pgSnapshot(system.sql), done.orders.length);
    if (statementsOn) details.push(...describeStatements(await statementSnapshot(system.sql), done.orders.length));
    details.push(
      describeCapture(cdcBefore, await cdcCounters(system.parts.cdc.metrics), done.orders.length),
      describeSearch(searchBefore, system.parts.search.indexer.stats(), done.orders.length),
    );
    // grace: wait until every expected delivery arrived, or the grace period ran out
    const expected = analyze(done.orders, [], plan.subscribers).expectedDeliveries;
    const graceEnd = performance.now() + knobs.BENCH_GRACE * 1000;
    for (;;) {
      const deliveries = await terminals.count();
      if (deliveries >= expected || performance.now() > graceEnd) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const collected = await terminals.collect();
    if (knobs.BENCH_DUMP)
      await writeFile(
        `${knobs.BENCH_DUMP}-${bus}.json`,
        JSON.stringify({
          orders: done.orders,
          deliveries: collected.deliveries,
          bus: [...busWatch.times],
          serverGc: serverLoop.gc.long,
          terminalsGc: collected.loopDelay.gc.long,
        }),
      );
    return {
      bus,
      result: analyze(done.orders, collected.deliveries, plan.subscribers, busWatch.times),
      achievedPerS: done.achievedPerS,
      failedOrders: done.failed,
      maxInFlight: done.maxInFlight,
      retried: done.retried,
      failures: done.failures,
      connectMs: connected.ms,
      rejected: collected.rejected,
      reloads: collected.reloads,
      disconnects: collected.disconnects,
      pgActivity,
      details,
      loopDelay: { server: serverLoop, terminals: collected.loopDelay },
      gcTail: gcTail(done.orders, collected.deliveries, {
        server: serverLoop.gc.long,
        terminals: collected.loopDelays.flatMap((l) => l.gc.long),
      }),
      cpu: {
        server: after.server - before.server,
        postgres: after.postgres.total - before.postgres.total,
        postgresByKind: Object.fromEntries(
          Object.entries(after.postgres.byKind).map(([kind, s]) => [kind, s - (before.postgres.byKind[kind] ?? 0)]),
        ),
        terminals: after.terminals - before.terminals,
        load: after.load - before.load,
        seconds: (after.at - before.at) / 1000,
        machineBusy: after.machine.busy - before.machine.busy,
      },
      loadAvg,
    };
  } finally {
    await busWatch.stop().catch(() => undefined);
    await terminals.exit();
    // a terminals process writes its profile as it exits (the whole run, connecting included)
    if (profDir) details.push(...(await summarizeLargestProfile(`${terminalsProfiles}-0`, 'terminals process 1')));
    await loader.exit({ cmd: 'exit' });
    await system.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

type CdcCounters = Record<'batches' | 'transactions' | 'changes' | 'events', number>;

async function cdcCounters(metrics: CdcMetrics): Promise<CdcCounters> {
  const sum = async (c: { get(): Promise<{ values: Array<{ value: number }> }> }) =>
    (await c.get()).values.reduce((a, v) => a + v.value, 0);
  return {
    batches: await sum(metrics.batches),
    transactions: await sum(metrics.transactions),
    changes: await sum(metrics.changes),
    events: await sum(metrics.domainEvents),
  };
}

function describeCapture(before: CdcCounters, after: CdcCounters, orders: number): string {
  const d = (k: keyof CdcCounters) => after[k] - before[k];
  const per = (n: number) => (n / Math.max(1, orders)).toFixed(2);
  return (
    `  capture per order: ${per(d('transactions'))} transactions, ${per(d('changes'))} row changes, ${per(d('events'))} domain events,` +
    ` ${per(d('batches'))} batches (${(d('transactions') / Math.max(1, d('batches'))).toFixed(2)} transactions per batch)`
  );
}

function describeSearch(before: SearchIndexerStats, after: SearchIndexerStats, orders: number): string {
  const per = (k: 'batches' | 'upserts' | 'unchanged' | 'removals') =>
    ((after[k] - before[k]) / Math.max(1, orders)).toFixed(2);
  return `  search indexer per order: ${per('batches')} batches, ${per('upserts')} upserts, ${per('unchanged')} unchanged, ${per('removals')} removals`;
}

const lat = (label: string, s: LatencySummary) =>
  `  ${label.padEnd(40)} p50 ${fmtMs(s.p50).padStart(6)}  p99 ${fmtMs(s.p99).padStart(6)}  max ${fmtMs(s.max).padStart(6)} ms  (n=${s.count})`;

const fmtTail = (t: ApiTail) =>
  `    its slowest ${t.orders} (≥ ${fmtMs(t.fromMs)} ms, mean ${fmtMs(t.totalMs)}), by Server-Timing: waiting for a database call ${fmtMs(t.waitMs)},` +
  ` the call ${fmtMs(t.dbMs)} (${(t.batchedShare * 100).toFixed(0)}% batched, mean batch ${t.meanBatch.toFixed(1)}),` +
  ` rest of the handler ${fmtMs(t.handlerMs)}, outside the handler ${fmtMs(t.outsideMs)}` +
  (t.middlewareMs === null
    ? ' (HTTP, validation, auth, event-loop queues)'
    : ` (of which api middleware: auth, validation ${fmtMs(t.middlewareMs)}; the rest is HTTP and event-loop queues on both sides)`);

const fmtGcTail = (t: GcTail) =>
  `    its slowest ${t.deliveries} deliveries (≥ ${fmtMs(t.fromMs)} ms): ${t.either} had a GC pause of 5 ms or more inside their path` +
  ` (server main thread ${t.server}, terminals ${t.terminals}); ${t.deliveries - t.either} none`;

function report(run: Run): void {
  const r = run.result;
  const pct = (s: number) => `${((s / run.cpu.seconds) * 100).toFixed(0)}%`;
  const perOrder = (s: number) => ((s * 1000) / Math.max(1, r.orders)).toFixed(2);
  const ours = run.cpu.server + run.cpu.postgres + run.cpu.terminals + run.cpu.load;
  console.log(
    [
      `[${run.bus}] results`,
      `  orders: ${r.orders} acknowledged (${r.measuredOrders} in the measured phase = ${run.achievedPerS.toFixed(1)}/s), ${run.failedOrders} failed, ${run.retried} sent again after a reset connection (same Idempotency-Key); at most ${run.maxInFlight} requests in flight`,
      ...Object.entries(run.failures)
        .slice(0, 5)
        .map(([label, n]) => `    ${n} × ${label}`),
      lat('POST sent → decrypted (BENCH figure)', r.fromSend),
      lat('POST sent → 201 read (api)', r.sendToAck),
      ...(r.apiTail ? [fmtTail(r.apiTail)] : []),
      lat('201 read → decrypted', r.fromAck),
      lat('commit timestamp (WAL, whole ms) → decrypted', r.fromCommit),
      lat('  of which commit → on the bus (capture)', r.commitToBus),
      lat('  and on the bus → decrypted (hub, terminals)', r.busToDecrypted),
      `  event-loop delay: server process ${fmtLoop(run.loopDelay.server)}; terminals process${knobs.BENCH_TERMINAL_PROCS > 1 ? ' (the worst of them)' : ''} ${fmtLoop(run.loopDelay.terminals)}`,
      ...(run.gcTail ? [fmtGcTail(run.gcTail)] : []),
      `  deliveries: ${r.deliveries}/${r.expectedDeliveries} (terminal, event) pairs, missing ${r.missingDeliveries}, duplicates ${r.duplicates}, unexpected ${r.unexpected}; lost orders ${r.lost}` +
        (r.lostExamples.length ? ` (e.g. ${r.lostExamples.join('; ')})` : ''),
      `  terminals: connected in ${(run.connectMs / 1000).toFixed(1)} s; frames rejected ${run.rejected}, reloads ${run.reloads}, reconnects ${run.disconnects}`,
      `  CPU over the ${run.cpu.seconds.toFixed(1)} s of load: server process ${run.cpu.server.toFixed(1)} s (${pct(run.cpu.server)}),` +
        ` Postgres ${run.cpu.postgres.toFixed(1)} s (${pct(run.cpu.postgres)}: ${Object.entries(run.cpu.postgresByKind)
          .map(([kind, s]) => `${kind} ${s.toFixed(1)}`)
          .join(', ')}), terminals ${run.cpu.terminals.toFixed(1)} s (${pct(run.cpu.terminals)}),` +
        ` load process ${run.cpu.load.toFixed(1)} s (${pct(run.cpu.load)}); load average at the end ${run.loadAvg}`,
      ...run.pgActivity,
      ...run.details,
      `  CPU per order: server ${perOrder(run.cpu.server)} ms, Postgres ${perOrder(run.cpu.postgres)} ms,` +
        ` terminals ${perOrder(run.cpu.terminals)} ms (${(r.deliveries / Math.max(1, r.orders)).toFixed(1)} deliveries per order), load ${perOrder(run.cpu.load)} ms`,
      `  machine: ${(run.cpu.machineBusy / run.cpu.seconds).toFixed(2)} of ${cpus().length} cores busy during the load, of which` +
        ` ${(ours / run.cpu.seconds).toFixed(2)} ours and ${(Math.max(0, run.cpu.machineBusy - ours) / run.cpu.seconds).toFixed(2)} other work on the machine`,
      ...[saturationWarning(run.cpu.machineBusy / run.cpu.seconds, cpus().length)].filter((w) => w !== null),
    ].join('\n'),
  );
}

const cpu = cpus();
console.log(
  [
    'e2e bench: order committed through the api → decrypted on subscribed terminals',
    `  machine: ${cpu[0]?.model ?? 'unknown cpu'}, ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GB RAM, ${process.platform} ${process.arch}, node ${process.version}`,
    `  load average at start: ${load()} (the machine is shared: other work competes for the cores)`,
    `  topology: ${knobs.BENCH_BRANCHES} branches (the demo's 2 + the rest created through the api), each with an orders topic and 4 kitchen` +
      ` station topics; ${knobs.BENCH_TERMINALS} terminals spread evenly over them (SDK clients over ws with the pinned hub key), in` +
      ` ${knobs.BENCH_TERMINAL_PROCS === 1 ? 'ONE separate child process' : `${knobs.BENCH_TERMINAL_PROCS} separate child processes`}; the order load in another child process;` +
      ` cdc (pgoutput) + hub + search in this process, the api ${knobs.API_THREAD === 'worker' ? 'in a worker thread of it' : 'on its main thread too'} (API_THREAD=${knobs.API_THREAD}; ${describeNodeFlags()}); embedded Postgres`,
    `  load: ${knobs.BENCH_RATE} orders/s open-loop (Poisson; keep-alive HTTP/1.1, up to 128 connections), 1..6 lines from ${knobs.BENCH_MENU} menu SKUs, ${knobs.BENCH_WARMUP} s warm-up` +
      ` + ${knobs.BENCH_DURATION} s measured, grace ${knobs.BENCH_GRACE} s for late events; buses: ${buses.join(', ')}`,
    '  latency: from just before the POST /orders is written to the moment a terminal has decrypted the order.created (orders topic)' +
      ' or kitchen.ticket.created (station topic) event for that order; every subscribed terminal’s delivery counts (clocks:' +
      ' performance.timeOrigin + now() in each process, same machine)',
    '  lost: orders acknowledged 201 for which some subscribed terminal never decrypted an expected event within the grace period',
  ].join('\n'),
);

const runs: Run[] = [];
for (const bus of buses) {
  const run = await runOnce(bus);
  report(run);
  runs.push(run);
}
const embedded = runs.find((r) => r.bus === 'memory') ?? runs[0]!;
const redis = runs.find((r) => r.bus === 'redis');
const round = (n: number) => (Number.isFinite(n) ? Math.round(n * 100) / 100 : null);
console.log(
  `BENCH ${JSON.stringify({
    bench: 'e2e',
    orders_per_s: round(embedded.achievedPerS),
    p50_ms: round(embedded.result.fromSend.p50),
    p99_ms: round(embedded.result.fromSend.p99),
    lost: embedded.result.lost,
    // the same deliveries timed from the commit's timestamp in the WAL (whole ms): without the api's HTTP leg
    from_commit_p50_ms: round(embedded.result.fromCommit.p50),
    from_commit_p99_ms: round(embedded.result.fromCommit.p99),
    // orders the api did not acknowledge 201: not in `lost` (nothing was promised for them)
    failed: embedded.failedOrders,
    terminals: knobs.BENCH_TERMINALS,
    ...(redis
      ? {
          redis_orders_per_s: round(redis.achievedPerS),
          redis_p50_ms: round(redis.result.fromSend.p50),
          redis_p99_ms: round(redis.result.fromSend.p99),
          redis_lost: redis.result.lost,
          redis_from_commit_p99_ms: round(redis.result.fromCommit.p99),
          redis_failed: redis.failedOrders,
        }
      : {}),
  })}`,
);
process.exit(0);
