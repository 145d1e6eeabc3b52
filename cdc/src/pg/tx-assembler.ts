/**
 * Turns the ordered pgoutput message stream into whole transactions of normalized ChangeEvents.
 * Pure and synchronous (no I/O): the source feeds it messages in stream order and gets back a
 * transaction at each commit. Relation and type messages are cached here, as the protocol requires
 * (Postgres sends a relation once per session, before its first change).
 */
import type { ChangeEvent, ChangeOp, Row } from '@commerce/common';
import type { Lsn } from './lsn.ts';
import { pgPositions } from './lsn.ts';
import { type Converter, converterFor } from './pg-values.ts';
import {
  type PgoutputMessage,
  type RawTuple,
  type RelationColumn,
  type ReplicaIdentity,
  UNCHANGED_TOAST,
} from './pgoutput-decoder.ts';

/** Microseconds from the Unix epoch to the Postgres epoch (2000-01-01). */
const PG_EPOCH_MS = 946_684_800_000;

export interface DecodedTransaction {
  xid: string;
  /** LSN of the commit record */
  commitLsn: Lsn;
  /** end of the commit record: what the slot is confirmed up to once this transaction is delivered */
  endLsn: Lsn;
  commitTs: number;
  events: ChangeEvent[];
  /**
   * Events of REPLICA IDENTITY FULL tables whose primary key columns are not known yet (pgoutput
   * flags every column as identity for FULL). The source looks the keys up and calls `fillKeys`.
   */
  unresolvedKeys: Array<{ index: number; relationOid: number }>;
}

interface RelationInfo {
  table: string;
  replicaIdentity: ReplicaIdentity;
  names: string[];
  converters: Converter[];
  /** column positions of the key, or null when it must be looked up (REPLICA IDENTITY FULL) */
  keyIndexes: number[] | null;
}

export class AssemblerError extends Error {
  override readonly name = 'AssemblerError';
}

export class TransactionAssembler {
  private readonly relations = new Map<number, RelationInfo>();
  private readonly typeNames = new Map<number, string>();
  private readonly primaryKeys = new Map<number, string[]>();
  private current: { xid: string; events: ChangeEvent[]; unresolved: DecodedTransaction['unresolvedKeys'] } | null =
    null;

  /** Primary key column names of a table (by relation OID), for REPLICA IDENTITY FULL tables. */
  setPrimaryKey(relationOid: number, columns: string[]) {
    this.primaryKeys.set(relationOid, columns);
    const info = this.relations.get(relationOid);
    if (info?.replicaIdentity === 'full') info.keyIndexes = indexesOf(info.names, columns);
  }

  hasPrimaryKey(relationOid: number): boolean {
    return this.primaryKeys.has(relationOid);
  }

  /** True between a begin and its commit. */
  get inTransaction(): boolean {
    return this.current !== null;
  }

  /** Feeds one message; returns the transaction when the message was its commit. */
  push(message: PgoutputMessage): DecodedTransaction | null {
    switch (message.tag) {
      case 'begin':
        if (this.current) throw new AssemblerError('begin inside an open transaction');
        this.current = { xid: String(message.xid), events: [], unresolved: [] };
        return null;
      case 'commit': {
        const tx = this.current;
        if (!tx) throw new AssemblerError('commit without begin');
        this.current = null;
        const commitTs = Number(message.commitTime / 1000n) + PG_EPOCH_MS;
        const position = pgPositions(message.endLsn);
        for (let i = 0; i < tx.events.length; i++) {
          const event = tx.events[i]!;
          event.txId = tx.xid;
          event.commitTs = commitTs;
          event.position = position(i);
        }
        return {
          xid: tx.xid,
          commitLsn: message.commitLsn,
          endLsn: message.endLsn,
          commitTs,
          events: tx.events,
          unresolvedKeys: tx.unresolved,
        };
      }
      case 'type':
        this.typeNames.set(message.typeOid, message.name);
        return null;
      case 'relation':
        this.relations.set(message.relationOid, this.relationInfo(message.relationOid, message));
        return null;
      case 'insert': {
        const rel = this.relation(message.relationOid);
        const after = toRow(rel, message.newTuple, null);
        this.add(message.relationOid, rel, 'c', null, after.row, after.unchanged);
        return null;
      }
      case 'update': {
        const rel = this.relation(message.relationOid);
        const before = message.oldTuple
          ? toRow(rel, message.oldTuple, null).row
          : message.keyTuple
            ? keyOnlyRow(rel, message.keyTuple)
            : null;
        const after = toRow(rel, message.newTuple, message.oldTuple);
        this.add(message.relationOid, rel, 'u', before, after.row, after.unchanged);
        return null;
      }
      case 'delete': {
        const rel = this.relation(message.relationOid);
        const before = message.oldTuple
          ? toRow(rel, message.oldTuple, null).row
          : keyOnlyRow(rel, message.keyTuple ?? []);
        this.add(message.relationOid, rel, 'd', before, null, []);
        return null;
      }
      case 'truncate':
        for (const oid of message.relationOids) {
          const rel = this.relation(oid);
          this.open().events.push(event(rel.table, 't', null, null, null, []));
        }
        return null;
      case 'origin':
      case 'message':
        return null;
    }
  }

  private open() {
    if (!this.current) throw new AssemblerError('change outside a transaction');
    return this.current;
  }

  private relation(oid: number): RelationInfo {
    const rel = this.relations.get(oid);
    if (!rel) throw new AssemblerError(`change for relation ${oid} before its relation message`);
    return rel;
  }

  private relationInfo(oid: number, message: Extract<PgoutputMessage, { tag: 'relation' }>): RelationInfo {
    const names = message.columns.map((c) => c.name);
    let keyIndexes: number[] | null;
    if (message.replicaIdentity === 'full') {
      const pk = this.primaryKeys.get(oid);
      keyIndexes = pk ? indexesOf(names, pk) : null;
    } else {
      keyIndexes = message.columns.flatMap((c: RelationColumn, i) => (c.isKey ? [i] : []));
    }
    return {
      table: `${message.schema}.${message.name}`,
      replicaIdentity: message.replicaIdentity,
      names,
      converters: message.columns.map((c) => converterFor(c.typeOid, this.typeNames.get(c.typeOid))),
      keyIndexes,
    };
  }

  private add(
    oid: number,
    rel: RelationInfo,
    op: ChangeOp,
    before: Row | null,
    after: Row | null,
    unchanged: string[],
  ) {
    const tx = this.open();
    const row = after ?? before;
    let key: Row | null = null;
    if (rel.keyIndexes === null) tx.unresolved.push({ index: tx.events.length, relationOid: oid });
    else if (row && rel.keyIndexes.length > 0)
      key = pick(
        row,
        rel.keyIndexes.map((i) => rel.names[i]!),
      );
    tx.events.push(event(rel.table, op, key, before, after, unchanged));
  }
}

/** Fills the keys the assembler could not know, once the primary keys were looked up. */
export function fillKeys(tx: DecodedTransaction, primaryKey: (relationOid: number) => string[] | undefined) {
  for (const { index, relationOid } of tx.unresolvedKeys) {
    const event = tx.events[index]!;
    const columns = primaryKey(relationOid);
    const row = event.after ?? event.before;
    event.key = columns && columns.length > 0 && row ? pick(row, columns) : null;
  }
  tx.unresolvedKeys = [];
}

function event(
  table: string,
  op: ChangeOp,
  key: Row | null,
  before: Row | null,
  after: Row | null,
  unchanged: string[],
): ChangeEvent {
  // txId, commitTs and position are set at commit, when they are known
  return { source: 'pg', table, op, key, before, after, unchanged, txId: null, commitTs: null, position: '' };
}

/**
 * One tuple → a row. An unchanged TOAST value ('u') is taken from the old tuple when Postgres sent
 * one with the value (REPLICA IDENTITY FULL logs the old row in full), otherwise it is left out of
 * the row and listed in `unchanged` so consumers merge instead of overwriting.
 */
function toRow(rel: RelationInfo, tuple: RawTuple, old: RawTuple | null): { row: Row; unchanged: string[] } {
  const row: Row = {};
  const unchanged: string[] = [];
  for (let i = 0; i < tuple.length; i++) {
    let value = tuple[i];
    if (value === UNCHANGED_TOAST) {
      const fallback = old?.[i];
      if (fallback === undefined || fallback === UNCHANGED_TOAST) {
        unchanged.push(rel.names[i]!);
        continue;
      }
      value = fallback;
    }
    row[rel.names[i]!] = value === null || value === undefined ? null : rel.converters[i]!(value);
  }
  return { row, unchanged };
}

/** A key tuple ('K') carries values only for identity columns; the rest are placeholders. */
function keyOnlyRow(rel: RelationInfo, tuple: RawTuple): Row {
  const row: Row = {};
  for (const i of rel.keyIndexes ?? []) {
    const value = tuple[i];
    if (typeof value === 'string') row[rel.names[i]!] = rel.converters[i]!(value);
  }
  return row;
}

function pick(row: Row, columns: string[]): Row {
  const key: Row = {};
  for (const c of columns) key[c] = row[c] ?? null;
  return key;
}

function indexesOf(names: string[], columns: string[]): number[] {
  return columns.map((c) => names.indexOf(c)).filter((i) => i >= 0);
}
