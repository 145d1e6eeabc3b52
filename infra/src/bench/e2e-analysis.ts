import { type LatencySummary, summarize } from '../simulate/latency.ts';
import type { Delivery, OrderRecord } from './e2e-protocol.ts';

/** Which terminals (TerminalPlan.name) follow each topic the orders reach. */
export interface Subscribers {
  /** branch id → terminals on its orders topic */
  orders: ReadonlyMap<string, readonly string[]>;
  /** station id → terminals on its kitchen topic */
  kitchen: ReadonlyMap<string, readonly string[]>;
}

export interface E2eResult {
  orders: number;
  measuredOrders: number;
  expectedDeliveries: number;
  deliveries: number;
  missingDeliveries: number;
  /** arrivals beyond the first of an event on one terminal */
  duplicates: number;
  /** arrivals on a terminal that does not follow the event's topic */
  unexpected: number;
  /** orders acknowledged by the api of which at least one subscribed terminal never decrypted an event */
  lost: number;
  lostExamples: string[];
  /** request sent → decrypted, every delivery of a measured order */
  fromSend: LatencySummary;
  /** request sent → 201 read (the api's part), once per measured order */
  sendToAck: LatencySummary;
  /** the slowest 1% of sendToAck, taken apart with the api's Server-Timing (means, ms) */
  apiTail: ApiTail | null;
  /** 201 read → decrypted (negative when the event beat the response) */
  fromAck: LatencySummary;
  /** commit timestamp in the WAL (whole ms) → decrypted */
  fromCommit: LatencySummary;
  /** commit timestamp → notified on the bus (capture), once per event */
  commitToBus: LatencySummary;
  /** notified on the bus → decrypted (hub and terminals), every delivery */
  busToDecrypted: LatencySummary;
}

export interface ApiTail {
  orders: number;
  /** from at least this sendToAck (its p99) */
  fromMs: number;
  totalMs: number;
  /** waiting for a free database call */
  waitMs: number;
  /** the database call */
  dbMs: number;
  /** the rest of the handler (scope check, response) */
  handlerMs: number;
  /** outside the handler: the load's and the api's HTTP, parsing, validation, auth, event-loop queues */
  outsideMs: number;
  /** of that, inside the api before and after the handler (middleware: auth, validation); null without `total` */
  middlewareMs: number | null;
  /** share of them created in a batch of more than one */
  batchedShare: number;
  meanBatch: number;
}

/** The slowest 1% of the api's answers, by where their time went (orders without Server-Timing are skipped). */
export function apiTail(orders: readonly OrderRecord[]): ApiTail | null {
  const timed = orders
    .filter((o) => o.measured && o.server)
    .map((o) => ({ total: o.ackAt - o.sentAt, s: o.server! }))
    .sort((a, b) => a.total - b.total);
  if (timed.length === 0) return null;
  // from the sample percentile() calls p99 (nearest rank), so `fromMs` is that p99 of these orders
  const tail = timed.slice(Math.max(0, Math.ceil(timed.length * 0.99) - 1));
  const mean = (f: (t: (typeof tail)[number]) => number) => tail.reduce((a, t) => a + f(t), 0) / tail.length;
  return {
    orders: tail.length,
    fromMs: tail[0]!.total,
    totalMs: mean((t) => t.total),
    waitMs: mean((t) => t.s.waitMs),
    dbMs: mean((t) => t.s.dbMs),
    handlerMs: mean((t) => t.s.appMs - t.s.waitMs - t.s.dbMs),
    outsideMs: mean((t) => t.total - t.s.appMs),
    middlewareMs: tail.every((t) => t.s.totalMs !== undefined) ? mean((t) => t.s.totalMs! - t.s.appMs) : null,
    batchedShare: tail.filter((t) => t.s.batch > 1).length / tail.length,
    meanBatch: mean((t) => t.s.batch),
  };
}

/**
 * Joins the load's orders with the terminals' decrypt times. Each order should reach every
 * terminal on its branch's orders topic (order.created) and every terminal on the kitchen topic of
 * each station its lines go to (kitchen.ticket.created). Arrivals are counted per (terminal, event):
 * counted per event only, a duplicate on one terminal would make up for a miss on another.
 */
export function analyze(
  orders: readonly OrderRecord[],
  deliveries: readonly Delivery[],
  subscribers: Subscribers,
  /** when each event was notified on the bus, by delivery key (see e2e-stages.ts) */
  busTimes: ReadonlyMap<string, number> = new Map(),
): E2eResult {
  const byKey = new Map(deliveries.map((d) => [d.key, d]));
  const fromSend: number[] = [];
  const fromAck: number[] = [];
  const fromCommit: number[] = [];
  const commitToBus: number[] = [];
  const busToDecrypted: number[] = [];
  let expectedDeliveries = 0;
  let received = 0;
  let missing = 0;
  let duplicates = 0;
  let unexpected = 0;
  let lost = 0;
  const lostExamples: string[] = [];
  for (const order of orders) {
    const expected: Array<[string, readonly string[]]> = [
      [`o:${order.id}`, subscribers.orders.get(order.branchId) ?? []],
    ];
    for (const stationId of order.stationIds)
      expected.push([`k:${order.id}:${stationId}`, subscribers.kitchen.get(stationId) ?? []]);
    let orderLost = false;
    for (const [key, want] of expected) {
      const delivery = byKey.get(key);
      const arrivals = new Map<string, number>();
      for (const terminal of delivery?.terminals ?? []) arrivals.set(terminal, (arrivals.get(terminal) ?? 0) + 1);
      const wanted = new Set(want);
      let got = 0;
      for (const terminal of wanted) if (arrivals.has(terminal)) got++;
      for (const [terminal, n] of arrivals) {
        if (wanted.has(terminal)) duplicates += n - 1;
        else unexpected += n;
      }
      expectedDeliveries += wanted.size;
      received += got;
      if (got < wanted.size) {
        missing += wanted.size - got;
        orderLost = true;
        if (lostExamples.length < 5) lostExamples.push(`${key} reached ${got}/${wanted.size} terminals`);
      }
      if (!delivery || !order.measured) continue;
      const busAt = busTimes.get(key);
      if (busAt !== undefined && delivery.committedAt !== null) commitToBus.push(busAt - delivery.committedAt);
      for (const at of delivery.at) {
        fromSend.push(at - order.sentAt);
        fromAck.push(at - order.ackAt);
        if (delivery.committedAt !== null) fromCommit.push(at - delivery.committedAt);
        if (busAt !== undefined) busToDecrypted.push(at - busAt);
      }
    }
    if (orderLost) lost++;
  }
  return {
    orders: orders.length,
    measuredOrders: orders.filter((o) => o.measured).length,
    expectedDeliveries,
    deliveries: received,
    missingDeliveries: missing,
    duplicates,
    unexpected,
    lost,
    lostExamples,
    fromSend: summarize(fromSend),
    sendToAck: summarize(orders.filter((o) => o.measured).map((o) => o.ackAt - o.sentAt)),
    apiTail: apiTail(orders),
    fromAck: summarize(fromAck),
    fromCommit: summarize(fromCommit),
    commitToBus: summarize(commitToBus),
    busToDecrypted: summarize(busToDecrypted),
  };
}

/** A pause of a process's garbage collector, as e2e-loop records the long ones (wall-clock ms). */
export interface GcPause {
  at: number;
  ms: number;
}

export interface GcTail {
  /** the slowest 1% of deliveries (request sent → decrypted) */
  deliveries: number;
  /** from at least this latency (their p99) */
  fromMs: number;
  /** of them, those whose path overlapped a recorded pause of the server's main thread */
  server: number;
  /** ... of a terminals process */
  terminals: number;
  /** ... of either */
  either: number;
}

/**
 * How many of the slowest 1% of deliveries had a long garbage-collection pause (e2e-loop keeps those
 * of 5 ms or more) of the server's main thread or of a terminals process inside their path (request
 * sent → decrypted). When most do, the tail is the collectors' pauses, not queueing in the parts.
 */
export function gcTail(
  orders: readonly OrderRecord[],
  deliveries: readonly Delivery[],
  pauses: { server: readonly GcPause[]; terminals: readonly GcPause[] },
): GcTail | null {
  const sentAt = new Map(orders.filter((o) => o.measured).map((o) => [o.id, o.sentAt]));
  const paths: Array<{ from: number; to: number }> = [];
  for (const delivery of deliveries) {
    // o:<order id> or k:<order id>:<station id>
    const from = sentAt.get(delivery.key.split(':')[1] ?? '');
    if (from !== undefined) for (const at of delivery.at) paths.push({ from, to: at });
  }
  if (paths.length === 0) return null;
  paths.sort((a, b) => a.to - a.from - (b.to - b.from));
  // nearest rank, as percentile() takes p99: the first of the tail is the p99
  const tail = paths.slice(Math.max(0, Math.ceil(paths.length * 0.99) - 1));
  const overlaps = (list: readonly GcPause[], p: { from: number; to: number }) =>
    list.some((g) => g.at < p.to && g.at + g.ms > p.from);
  let server = 0;
  let terminals = 0;
  let either = 0;
  for (const path of tail) {
    const s = overlaps(pauses.server, path);
    const t = overlaps(pauses.terminals, path);
    if (s) server++;
    if (t) terminals++;
    if (s || t) either++;
  }
  const first = tail[0]!;
  return { deliveries: tail.length, fromMs: first.to - first.from, server, terminals, either };
}

/** Busy share of the machine's cores above which the latencies mostly measure waiting for a core. */
export const SATURATED_SHARE = 0.85;

/**
 * A warning when the machine was (nearly) saturated during the load, else null: every part, Postgres,
 * the terminals and the load share its cores, so past this point a latency percentile says more
 * about the machine than about the system.
 */
export function saturationWarning(busyCores: number, cores: number): string | null {
  const share = busyCores / cores;
  if (!(share >= SATURATED_SHARE)) return null;
  return (
    `  saturated: ${Math.round(share * 100)}% of the ${cores} cores were busy, so the latencies above are mostly` +
    ' queueing for a core; rerun on a quieter or bigger machine, or with a lower BENCH_RATE, to see the system'
  );
}
