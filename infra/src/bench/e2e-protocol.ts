import type { LoopDelay } from './e2e-loop.ts';

/**
 * What the end-to-end benchmark's processes tell each other over IPC. Times are
 * `performance.timeOrigin + performance.now()`: wall-clock milliseconds with sub-millisecond
 * resolution, comparable between processes on one machine.
 */
export const now = () => performance.timeOrigin + performance.now();

/** `wait;dur=0.01, db;dur=2.31;desc="batch of 1", app;dur=2.60` → its figures (null when absent or unreadable) */
export function parseServerTiming(header: string | undefined): OrderRecord['server'] {
  if (!header) return null;
  const dur = (name: string) => Number(new RegExp(`(?:^|,)\\s*${name};dur=([0-9.]+)`).exec(header)?.[1] ?? Number.NaN);
  const batch = Number(/batch of (\d+)/.exec(header)?.[1] ?? Number.NaN);
  const server = { waitMs: dur('wait'), dbMs: dur('db'), batch, appMs: dur('app') };
  if (!Object.values(server).every(Number.isFinite)) return null;
  const totalMs = dur('total');
  return Number.isFinite(totalMs) ? { ...server, totalMs } : server;
}

export interface TerminalPlan {
  token: string;
  topics: string[];
  name: string;
}

export interface LineChoice {
  variantId: string;
  stationCode: string | null;
}

export interface BranchPlan {
  branchId: string;
  /** device token of a POS at this branch: the load places the branch's orders with it */
  posToken: string;
  /** station code → station id */
  stations: Record<string, string>;
}

/** One order as the load process saw it. */
export interface OrderRecord {
  id: string;
  branchId: string;
  /** distinct station ids of its lines (one kitchen ticket each) */
  stationIds: string[];
  /** just before the request was written */
  sentAt: number;
  /** 201 read */
  ackAt: number;
  /** sent during the measured phase (not warm-up) */
  measured: boolean;
  /** the api's Server-Timing for it (ms): wait for a database call, the call, the whole handler */
  server: {
    waitMs: number;
    dbMs: number;
    batch: number;
    appMs: number;
    /** inside the api, middleware included */
    totalMs?: number;
  } | null;
}

export type TerminalsCommand =
  | { cmd: 'connect'; url: string; publicKeyPem: string; terminals: TerminalPlan[] }
  | { cmd: 'count' }
  | { cmd: 'collect' }
  | { cmd: 'exit' };

/** Deliveries by key: `o:<orderId>` (order.created) or `k:<orderId>:<stationId>` (kitchen.ticket.created). */
export interface Delivery {
  key: string;
  /** decrypted at, one per arrival */
  at: number[];
  /** the terminal (TerminalPlan.name) of each arrival, beside `at`: a duplicate on one terminal must not hide a miss on another */
  terminals: string[];
  /** the event's commit timestamp (ms, from the WAL) */
  committedAt: number | null;
}

export type TerminalsReport =
  | { type: 'connected'; count: number; ms: number }
  /** distinct (terminal, event) pairs decrypted so far */
  | { type: 'count'; deliveries: number }
  | {
      type: 'collected';
      deliveries: Delivery[];
      rejected: number;
      reloads: number;
      disconnects: number;
      /** the terminals process's event-loop delay from connected to collect */
      loopDelay: LoopDelay;
    }
  | { type: 'failed'; message: string };

export type LoadCommand =
  | {
      cmd: 'run';
      apiUrl: string;
      branches: BranchPlan[];
      menu: LineChoice[];
      ratePerS: number;
      warmupMs: number;
      durationMs: number;
      seed: number;
    }
  | { cmd: 'exit' };

export type LoadReport =
  | {
      type: 'done';
      orders: OrderRecord[];
      failed: number;
      /** requests sent again (same Idempotency-Key) after a reused connection was reset */
      retried: number;
      failures: Record<string, number>;
      achievedPerS: number;
      /** most requests outstanding at once (open loop: grows when the api falls behind) */
      maxInFlight: number;
    }
  | { type: 'failed'; message: string };
