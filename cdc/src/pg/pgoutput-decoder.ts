/**
 * Decoder for pgoutput protocol version 1 messages (the payload of XLogData), written here rather
 * than taken from pg-logical-replication because its parser runs every value through `pg`'s global
 * type parsers (timestamps become Dates and lose microseconds, dates shift with the local time
 * zone) and turns an unchanged TOAST value into `undefined`. We keep the raw text of every value and
 * mark unchanged TOAST explicitly; pg-values.ts converts text by type OID.
 * Format: https://www.postgresql.org/docs/current/protocol-logicalrep-message-formats.html
 */
import type { Lsn } from './lsn.ts';

/** Marks a column whose value Postgres did not send (unchanged TOAST, tuple kind 'u'). */
export const UNCHANGED_TOAST: unique symbol = Symbol('unchanged-toast');
export type RawValue = string | null | typeof UNCHANGED_TOAST;
/** Values by column position, as text (pgoutput text mode). */
export type RawTuple = RawValue[];

export interface RelationColumn {
  name: string;
  /** part of the replica identity (for REPLICA IDENTITY FULL: every column) */
  isKey: boolean;
  typeOid: number;
  typeMod: number;
}

export type ReplicaIdentity = 'default' | 'nothing' | 'full' | 'index';

export type PgoutputMessage =
  | { tag: 'begin'; finalLsn: Lsn; commitTime: bigint; xid: number }
  | { tag: 'commit'; commitLsn: Lsn; endLsn: Lsn; commitTime: bigint }
  | {
      tag: 'relation';
      relationOid: number;
      schema: string;
      name: string;
      replicaIdentity: ReplicaIdentity;
      columns: RelationColumn[];
    }
  | { tag: 'type'; typeOid: number; schema: string; name: string }
  | { tag: 'insert'; relationOid: number; newTuple: RawTuple }
  | { tag: 'update'; relationOid: number; keyTuple: RawTuple | null; oldTuple: RawTuple | null; newTuple: RawTuple }
  | { tag: 'delete'; relationOid: number; keyTuple: RawTuple | null; oldTuple: RawTuple | null }
  | { tag: 'truncate'; relationOids: number[]; cascade: boolean; restartIdentity: boolean }
  | { tag: 'origin'; lsn: Lsn; name: string }
  | { tag: 'message'; transactional: boolean; lsn: Lsn; prefix: string; content: Buffer };

export class PgoutputDecodeError extends Error {
  override readonly name = 'PgoutputDecodeError';
}

const IDENTITY: Record<string, ReplicaIdentity> = { d: 'default', n: 'nothing', f: 'full', i: 'index' };

export function decodePgoutput(buf: Buffer): PgoutputMessage {
  const r = new Reader(buf);
  const tag = r.byte();
  switch (tag) {
    case 0x42 /* B */:
      return { tag: 'begin', finalLsn: r.u64(), commitTime: r.i64(), xid: r.u32() };
    case 0x43 /* C */:
      {
        r.byte(); // flags, unused
        return { tag: 'commit', commitLsn: r.u64(), endLsn: r.u64(), commitTime: r.i64() };
      }
    case 0x52 /* R */:
      {
        const relationOid = r.u32();
        const schema = r.cstring();
        const name = r.cstring();
        const identChar = String.fromCharCode(r.byte());
        const replicaIdentity = IDENTITY[identChar];
        if (!replicaIdentity) throw new PgoutputDecodeError(`unknown replica identity ${identChar}`);
        const count = r.u16();
        const columns: RelationColumn[] = [];
        for (let i = 0; i < count; i++) {
          const flags = r.byte();
          columns.push({ isKey: (flags & 1) === 1, name: r.cstring(), typeOid: r.u32(), typeMod: r.i32() });
        }
        return { tag: 'relation', relationOid, schema, name, replicaIdentity, columns };
      }
    case 0x59 /* Y */:
      return { tag: 'type', typeOid: r.u32(), schema: r.cstring(), name: r.cstring() };
    case 0x49 /* I */:
      {
        const relationOid = r.u32();
        r.expect(0x4e /* N */);
        return { tag: 'insert', relationOid, newTuple: r.tuple() };
      }
    case 0x55 /* U */:
      {
        const relationOid = r.u32();
        let keyTuple: RawTuple | null = null;
        let oldTuple: RawTuple | null = null;
        let sub = r.byte();
        if (sub === 0x4b /* K */ || sub === 0x4f /* O */) {
          if (sub === 0x4b) keyTuple = r.tuple();
          else oldTuple = r.tuple();
          sub = r.byte();
        }
        if (sub !== 0x4e) throw new PgoutputDecodeError(`update: expected N, got ${String.fromCharCode(sub)}`);
        return { tag: 'update', relationOid, keyTuple, oldTuple, newTuple: r.tuple() };
      }
    case 0x44 /* D */:
      {
        const relationOid = r.u32();
        const sub = r.byte();
        if (sub === 0x4b) return { tag: 'delete', relationOid, keyTuple: r.tuple(), oldTuple: null };
        if (sub === 0x4f) return { tag: 'delete', relationOid, keyTuple: null, oldTuple: r.tuple() };
        throw new PgoutputDecodeError(`delete: expected K or O, got ${String.fromCharCode(sub)}`);
      }
    case 0x54 /* T */:
      {
        const count = r.u32();
        const options = r.byte();
        const relationOids: number[] = [];
        for (let i = 0; i < count; i++) relationOids.push(r.u32());
        return { tag: 'truncate', relationOids, cascade: (options & 1) !== 0, restartIdentity: (options & 2) !== 0 };
      }
    case 0x4f /* O */:
      return { tag: 'origin', lsn: r.u64(), name: r.cstring() };
    case 0x4d /* M */:
      {
        const transactional = (r.byte() & 1) === 1;
        const lsn = r.u64();
        const prefix = r.cstring();
        const length = r.u32();
        return { tag: 'message', transactional, lsn, prefix, content: r.bytes(length) };
      }
    default:
      throw new PgoutputDecodeError(`unknown pgoutput message ${String.fromCharCode(tag)} (0x${tag.toString(16)})`);
  }
}

class Reader {
  private offset = 0;
  constructor(private readonly buf: Buffer) {}

  private need(n: number) {
    if (this.offset + n > this.buf.length) throw new PgoutputDecodeError('message truncated');
  }
  byte(): number {
    this.need(1);
    return this.buf[this.offset++]!;
  }
  expect(value: number) {
    const got = this.byte();
    if (got !== value)
      throw new PgoutputDecodeError(`expected ${String.fromCharCode(value)}, got ${String.fromCharCode(got)}`);
  }
  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.offset);
    this.offset += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.offset);
    this.offset += 4;
    return v;
  }
  i32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }
  u64(): bigint {
    this.need(8);
    const v = this.buf.readBigUInt64BE(this.offset);
    this.offset += 8;
    return v;
  }
  i64(): bigint {
    this.need(8);
    const v = this.buf.readBigInt64BE(this.offset);
    this.offset += 8;
    return v;
  }
  cstring(): string {
    const end = this.buf.indexOf(0, this.offset);
    if (end < 0) throw new PgoutputDecodeError('unterminated string');
    const s = this.buf.toString('utf8', this.offset, end);
    this.offset = end + 1;
    return s;
  }
  bytes(n: number): Buffer {
    this.need(n);
    const b = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return b;
  }
  tuple(): RawTuple {
    const count = this.u16();
    const values: RawTuple = new Array(count);
    for (let i = 0; i < count; i++) {
      const kind = this.byte();
      if (kind === 0x74 /* t */) {
        const length = this.u32();
        this.need(length);
        values[i] = this.buf.toString('utf8', this.offset, this.offset + length);
        this.offset += length;
      } else if (kind === 0x6e /* n */) {
        values[i] = null;
      } else if (kind === 0x75 /* u */) {
        values[i] = UNCHANGED_TOAST;
      } else {
        // 'b' (binary) only appears when the slot is started with `binary 'true'`, which we never do
        throw new PgoutputDecodeError(`unsupported tuple value kind ${String.fromCharCode(kind)}`);
      }
    }
    return values;
  }
}
