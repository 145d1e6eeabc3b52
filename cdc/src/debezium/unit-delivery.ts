import type { ChangeSink, Logger } from '@commerce/common';
import { deliverToSinks } from '../deliver.ts';
import type { CdcMetrics } from '../metrics.ts';
import type { DebeziumMetrics } from './metrics.ts';
import type { Unit } from './tx-assembler.ts';

export type DeliveryOutcome = 'delivered' | 'aborted' | { failed: unknown };

export interface UnitDeliveryDeps {
  sinks: readonly ChangeSink[];
  logger: Logger;
  metrics: DebeziumMetrics;
  shared?: CdcMetrics;
}

/**
 * Hands the units `take()` gave out to the sinks as one ChangeBatch (whole transactions, in order),
 * and says how it went: `aborted` when the signal fired (stopping, rebalancing: nothing is
 * committed, the records are read again), `failed` when a sink gave up for good. A sink that
 * ignores the signal does not hold the source: waiting stops when the signal fires.
 */
export function createUnitDelivery(deps: UnitDeliveryDeps) {
  const { logger, metrics, shared } = deps;

  const report = (unit: Unit) => {
    const incomplete = unit.incomplete;
    if (!incomplete) {
      if (unit.key !== null) metrics.transactions.inc({ outcome: 'complete' });
      return;
    }
    metrics.transactions.inc({ outcome: incomplete.reason });
    const tables = [...new Set(unit.events.map((e) => e.table))];
    if (incomplete.reason === 'late') {
      logger.warn(
        { transaction: unit.key, tables },
        'a record of a transaction delivered incomplete earlier arrived: delivering it on its own',
      );
    } else {
      logger.warn(
        { transaction: unit.key, ...incomplete, tables },
        incomplete.reason === 'max_wait'
          ? 'transaction still incomplete after CDC_KAFKA_TX_MAX_WAIT_MS: delivering what arrived'
          : 'CDC_KAFKA_TX_MAX_RECORDS records buffered: delivering the oldest transaction as it is',
      );
    }
  };

  return async (units: readonly Unit[], signal: AbortSignal): Promise<DeliveryOutcome> => {
    const events = units.flatMap((u) => u.events);
    if (events.length === 0) {
      for (const unit of units) report(unit);
      return 'delivered';
    }
    const started = performance.now();
    try {
      await Promise.race([
        deliverToSinks({ events, position: events.at(-1)!.position }, deps.sinks, { signal, logger }),
        rejectOnAbort(signal),
      ]);
    } catch (error) {
      return signal.aborted ? 'aborted' : { failed: error };
    }
    for (const unit of units) report(unit);
    if (shared) {
      shared.deliverySeconds.observe((performance.now() - started) / 1000);
      shared.changes.inc({ source: 'debezium' }, events.length);
      shared.batches.inc({ source: 'debezium' });
      const transactions = units.filter((u) => u.key !== null).length;
      if (transactions > 0) shared.transactions.inc({ source: 'debezium' }, transactions);
      const commitTs = events.at(-1)!.commitTs;
      if (commitTs !== null) shared.commitToAckSeconds.observe(Math.max(0, Date.now() - commitTs) / 1000);
    }
    return 'delivered';
  };
}

function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}
