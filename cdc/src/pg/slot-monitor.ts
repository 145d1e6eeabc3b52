/**
 * Watches our slot: lag (WAL written since the last confirmed position) and retained WAL (what
 * Postgres keeps on disk for the slot) go to /metrics, and a warning is logged when retained WAL
 * passes the threshold: a stuck or abandoned slot fills the disk of the primary.
 */
import type { Logger } from '@commerce/common';
import type { Sql } from 'postgres';
import type { CdcMetrics } from '../metrics.ts';
import { readSlotStatus, type SlotStatus } from './slot.ts';

export interface SlotMonitorOptions {
  sql: Sql;
  slot: string;
  logger: Logger;
  metrics: CdcMetrics;
  warnBytes: number;
  intervalMs: number;
  /** repeat the warning at most this often while above the threshold */
  rewarnMs?: number;
}

export interface SlotMonitor {
  /** one measurement now (also what the timer runs) */
  check(): Promise<SlotStatus | null>;
  start(): void;
  stop(): Promise<void>;
}

export function createSlotMonitor(options: SlotMonitorOptions): SlotMonitor {
  const { logger, metrics } = options;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> = Promise.resolve();
  let lastWarning = 0;

  async function check(): Promise<SlotStatus | null> {
    const status = await readSlotStatus(options.sql, options.slot);
    if (!status) {
      logger.warn({ slot: options.slot }, 'replication slot is missing');
      metrics.slotActive.set(0);
      return null;
    }
    metrics.slotLagBytes.set(status.lagBytes);
    metrics.slotRetainedWalBytes.set(status.retainedBytes);
    metrics.slotActive.set(status.active ? 1 : 0);
    const now = Date.now();
    if (status.retainedBytes > options.warnBytes) {
      if (now - lastWarning >= (options.rewarnMs ?? 5 * 60_000)) {
        lastWarning = now;
        logger.warn(
          { slot: options.slot, ...status, warnBytes: options.warnBytes },
          'replication slot retains more WAL than the threshold: is cdc stuck or stopped? (see cdc/README.md, slot operations)',
        );
      }
    } else if (lastWarning !== 0) {
      lastWarning = 0;
      logger.info({ slot: options.slot, ...status }, 'retained WAL back under the threshold');
    }
    return status;
  }

  return {
    check,
    start() {
      if (timer) return;
      timer = setInterval(() => {
        running = check().catch((error) => logger.warn({ err: error }, 'slot check failed'));
      }, options.intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await running;
    },
  };
}
