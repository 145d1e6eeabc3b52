import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * The Debezium source's own metrics, registered on cdc's registry next to the shared ones
 * (`cdc_changes_total{source="debezium"}`, `cdc_delivery_seconds`, … from ../metrics.ts).
 */
export interface DebeziumMetrics {
  records: Counter<'outcome'>;
  lastHeartbeat: Gauge<never>;
  transactions: Counter<'outcome'>;
  bufferedRecords: Gauge<never>;
  bufferedTransactions: Gauge<never>;
  oldestBufferedSeconds: Gauge<never>;
  commits: Counter<never>;
  consumerLag: Gauge<'topic' | 'partition'>;
}

/** How a record was decoded; `dead_letter` = parked. */
export type RecordOutcome = 'change' | 'tombstone' | 'heartbeat' | 'transaction' | 'message' | 'dead_letter';

/** `complete`, or why a transaction was delivered before it was whole. */
export type TransactionOutcome = 'complete' | 'max_wait' | 'max_buffered' | 'late';

export function createDebeziumMetrics(registry: Registry): DebeziumMetrics {
  const r = [registry];
  // a second source on the same registry (a test, a re-created cdc) reuses the metrics
  const existing = <T>(name: string) => registry.getSingleMetric(name) as T | undefined;
  return {
    records:
      existing('cdc_debezium_records_total') ??
      new Counter({
        name: 'cdc_debezium_records_total',
        help: 'Kafka records read, by outcome (change, tombstone, heartbeat, transaction, message, dead_letter)',
        labelNames: ['outcome'],
        registers: r,
      }),
    lastHeartbeat:
      existing('cdc_debezium_last_heartbeat_seconds') ??
      new Gauge({
        name: 'cdc_debezium_last_heartbeat_seconds',
        help: 'when the last connector heartbeat record was read (unix seconds)',
        registers: r,
      }),
    transactions:
      existing('cdc_debezium_transactions_total') ??
      new Counter({
        name: 'cdc_debezium_transactions_total',
        help: 'transactions assembled and delivered: complete, or flushed incomplete (max_wait, max_buffered) or late records of those',
        labelNames: ['outcome'],
        registers: r,
      }),
    bufferedRecords:
      existing('cdc_debezium_buffered_records') ??
      new Gauge({
        name: 'cdc_debezium_buffered_records',
        help: 'records held until their transaction is whole and its turn has come',
        registers: r,
      }),
    bufferedTransactions:
      existing('cdc_debezium_buffered_transactions') ??
      new Gauge({
        name: 'cdc_debezium_buffered_transactions',
        help: 'transactions waiting for records or for their turn',
        registers: r,
      }),
    oldestBufferedSeconds:
      existing('cdc_debezium_oldest_buffered_seconds') ??
      new Gauge({
        name: 'cdc_debezium_oldest_buffered_seconds',
        help: 'age of the oldest waiting transaction',
        registers: r,
      }),
    commits:
      existing('cdc_debezium_commits_total') ??
      new Counter({ name: 'cdc_debezium_commits_total', help: 'offset commits to the consumer group', registers: r }),
    consumerLag:
      existing('cdc_kafka_consumer_lag') ??
      new Gauge({
        name: 'cdc_kafka_consumer_lag',
        help: 'records of a partition not yet committed: high watermark - committed offset (as of its last fetch)',
        labelNames: ['topic', 'partition'],
        registers: r,
      }),
  };
}
