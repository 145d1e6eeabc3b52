import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * cdc's Prometheus metrics, on their own registry so an in-process `npm start` can serve several
 * components' registries side by side without name clashes.
 */
export interface CdcMetrics {
  registry: Registry;
  changes: Counter<'source'>;
  transactions: Counter<'source'>;
  batches: Counter<'source'>;
  domainEvents: Counter<'type'>;
  busDuplicates: Counter<never>;
  routerSkipped: Counter<'reason'>;
  deliverySeconds: Histogram<never>;
  commitToAckSeconds: Histogram<never>;
  queuedChanges: Gauge<never>;
  ackedLsn: Gauge<never>;
  slotLagBytes: Gauge<never>;
  slotRetainedWalBytes: Gauge<never>;
  slotActive: Gauge<never>;
  sourceRestarts: Counter<'source'>;
  keepalives: Counter<'replied'>;
}

export function createCdcMetrics(registry: Registry = new Registry()): CdcMetrics {
  const r = [registry];
  return {
    registry,
    changes: new Counter({
      name: 'cdc_changes_total',
      help: 'row changes delivered to every sink',
      labelNames: ['source'],
      registers: r,
    }),
    transactions: new Counter({
      name: 'cdc_transactions_total',
      help: 'transactions delivered',
      labelNames: ['source'],
      registers: r,
    }),
    batches: new Counter({
      name: 'cdc_batches_total',
      help: 'batches delivered',
      labelNames: ['source'],
      registers: r,
    }),
    domainEvents: new Counter({
      name: 'cdc_domain_events_total',
      help: 'domain events published on the bus',
      labelNames: ['type'],
      registers: r,
    }),
    busDuplicates: new Counter({
      name: 'cdc_bus_duplicates_total',
      help: 'domain events the bus skipped as already published (batches delivered again after a restart)',
      registers: r,
    }),
    routerSkipped: new Counter({
      name: 'cdc_router_skipped_total',
      help: 'changes the router could not turn into an event',
      labelNames: ['reason'],
      registers: r,
    }),
    deliverySeconds: new Histogram({
      name: 'cdc_delivery_seconds',
      help: 'time for every sink to accept one batch',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
      registers: r,
    }),
    commitToAckSeconds: new Histogram({
      name: 'cdc_commit_to_ack_seconds',
      help: "from the commit timestamp of a batch's last transaction to its acknowledgement",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5, 30],
      registers: r,
    }),
    queuedChanges: new Gauge({
      name: 'cdc_queued_changes',
      help: 'decoded changes waiting for delivery',
      registers: r,
    }),
    ackedLsn: new Gauge({ name: 'cdc_acked_lsn', help: 'last LSN confirmed to the slot (as a number)', registers: r }),
    slotLagBytes: new Gauge({
      name: 'cdc_slot_lag_bytes',
      help: 'pg_current_wal_lsn() - confirmed_flush_lsn of our slot',
      registers: r,
    }),
    slotRetainedWalBytes: new Gauge({
      name: 'cdc_slot_retained_wal_bytes',
      help: 'WAL the slot keeps on disk: pg_current_wal_lsn() - restart_lsn',
      registers: r,
    }),
    slotActive: new Gauge({ name: 'cdc_slot_active', help: '1 when a walsender streams the slot', registers: r }),
    sourceRestarts: new Counter({
      name: 'cdc_source_restarts_total',
      help: 'replication sessions restarted after an error',
      labelNames: ['source'],
      registers: r,
    }),
    keepalives: new Counter({
      name: 'cdc_keepalives_total',
      help: 'primary keepalives received',
      labelNames: ['replied'],
      registers: r,
    }),
  };
}
