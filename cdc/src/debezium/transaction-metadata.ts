import { ValueError } from './errors.ts';
import { isLosslessObject, JsonNumber, type LosslessObject, type LosslessValue } from './lossless-json.ts';

/**
 * Debezium transaction metadata (`provide.transaction.metadata=true`), as the PostgreSQL connector
 * writes it:
 *
 * - `<topic.prefix>.transaction` carries one BEGIN and one END record per transaction:
 *   `{status, id, event_count, data_collections: [{data_collection, event_count}], ts_ms}`
 *   (counts are null on BEGIN).
 * - every data record's envelope gets `transaction: {id, total_order, data_collection_order}`:
 *   `total_order` is the record's 1-based place among all events of the transaction,
 *   `data_collection_order` its place among the events of its table.
 *
 * The trap: since Debezium 2.0 (DBZ-5329, `PostgresTransactionMonitor.adjustTxId`) the Postgres `id`
 * is `<xid>:<LSN of the record being written>`, so BEGIN, each data record and END of one
 * transaction carry *different* ids (`5012:37690112`, `5012:37690240`, …, `5012:37690480`). Records
 * are grouped by `transactionKey(id)`: the xid before the colon (older connectors wrote the bare xid,
 * which is its own key). An xid is unique among the transactions in flight at any moment, which is
 * all the assembler ever holds.
 */
export interface TransactionMember {
  /** the id as written */
  id: string;
  /** what groups the records of one transaction (`transactionKey`) */
  key: string;
  /** 1-based place among the transaction's events */
  totalOrder: number;
  dataCollectionOrder: number;
}

export interface DataCollectionCount {
  /** `schema.table` (Debezium 3 also counts transactional logical messages, under a name of its own) */
  dataCollection: string;
  eventCount: number;
}

export interface TransactionBoundary {
  status: 'BEGIN' | 'END';
  id: string;
  key: string;
  /** END only: events the transaction wrote (data records and transactional logical messages) */
  eventCount: number | null;
  /** END only */
  dataCollections: DataCollectionCount[] | null;
  tsMs: number | null;
}

const POSTGRES_ID = /^(\d+):\d+$/;

export function transactionKey(id: string): string {
  return POSTGRES_ID.exec(id)?.[1] ?? id;
}

/** The envelope's `transaction` block, or null when absent (snapshot reads, connector without metadata). */
export function readTransactionBlock(value: LosslessValue | undefined): TransactionMember | null {
  if (value === undefined || value === null) return null;
  if (!isLosslessObject(value)) throw new ValueError('transaction must be an object');
  const id = idOf(value, 'transaction.id');
  return {
    id,
    key: transactionKey(id),
    totalOrder: count(value.total_order, 'transaction.total_order', 1),
    dataCollectionOrder: count(value.data_collection_order, 'transaction.data_collection_order', 1),
  };
}

/** A transaction topic record's payload; the caller has checked `status` is BEGIN or END. */
export function readTransactionBoundary(payload: LosslessObject): TransactionBoundary {
  const status = payload.status === 'END' ? 'END' : 'BEGIN';
  const id = idOf(payload, 'id');
  let eventCount: number | null = null;
  let dataCollections: DataCollectionCount[] | null = null;
  if (payload.event_count !== undefined && payload.event_count !== null) {
    eventCount = count(payload.event_count, 'event_count', 0);
  }
  const collections = payload.data_collections;
  if (collections !== undefined && collections !== null) {
    if (!Array.isArray(collections)) throw new ValueError('data_collections must be an array');
    dataCollections = collections.map((entry, i) => {
      if (!isLosslessObject(entry) || typeof entry.data_collection !== 'string') {
        throw new ValueError(`data_collections[${i}] must be {data_collection, event_count}`);
      }
      return {
        dataCollection: entry.data_collection,
        eventCount: count(entry.event_count, `data_collections[${i}].event_count`, 0),
      };
    });
  }
  if (status === 'END' && eventCount === null) throw new ValueError('END without event_count');
  const ts = payload.ts_ms;
  const tsMs = ts instanceof JsonNumber && ts.isInteger ? ts.toNumber() : null;
  return { status, id, key: transactionKey(id), eventCount, dataCollections, tsMs };
}

function idOf(value: LosslessObject, what: string): string {
  const id = value.id;
  if (typeof id === 'string' && id !== '') return id;
  if (id instanceof JsonNumber && id.isInteger) return id.raw;
  throw new ValueError(`${what} must be a non-empty string`);
}

/** int64 counters; Debezium's own documentation prints them as strings, so accept both. */
function count(value: LosslessValue | undefined, what: string, min: number): number {
  const raw = value instanceof JsonNumber ? value.raw : typeof value === 'string' ? value : null;
  if (raw === null || !/^\d{1,15}$/.test(raw) || Number(raw) < min) {
    throw new ValueError(`${what} must be an integer ≥ ${min}, got ${JSON.stringify(raw ?? value ?? null)}`);
  }
  return Number(raw);
}
