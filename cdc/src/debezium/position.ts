import { createHash } from 'node:crypto';
import type { ChangeOp, Row } from '@commerce/common';
import { ValueError } from './errors.ts';
import { JsonNumber, type LosslessValue, parseLosslessJson } from './lossless-json.ts';

/**
 * Debezium positions: fixed width (60 characters) so plain string comparison orders them
 * (`comparePositions` in common/src/change-event.ts):
 *
 *   <commit LSN: 20 digits>.<change LSN: 20 digits>.<rank: 1 digit>.<row digest: 16 hex>
 *
 * - commit LSN / change LSN come from `source.sequence` (`["<last commit LSN>","<LSN>"]`): the last
 *   commit LSN is the same for every change of a transaction and grows from one transaction to the
 *   next in commit order, the change LSN grows within a transaction, so the pair orders the stream
 *   even when transactions interleave in the WAL. Records without `sequence` (old connectors) use
 *   `source.lsn` for both halves; a missing commit LSN (snapshot) is all zeros. LSNs are unsigned
 *   64-bit, so 20 decimal digits always fit.
 * - rank: 1 for d and t, 2 for c u r. A primary-key update is a delete of the old key followed by a
 *   create of the new key at the same LSN, and the delete comes first.
 * - row digest: the first 64 bits of sha256(table + key). Several records can share one LSN (all
 *   rows of a snapshot, one truncate per table, the delete/create pair above); the digest makes the
 *   position unique per row, and deterministic, so a redelivered record gets the same position
 *   and the same downstream event id.
 */
export const DEBEZIUM_POSITION_LENGTH = 60;

const LSN = /^\d{1,20}$/;

function lsnText(value: LosslessValue | undefined, what: string): string | null {
  if (value === undefined || value === null) return null;
  const raw = value instanceof JsonNumber ? value.raw : value;
  if (typeof raw !== 'string' || !LSN.test(raw) || BigInt(raw) > 0xffff_ffff_ffff_ffffn) {
    throw new ValueError(`${what} is not an LSN: ${JSON.stringify(raw)}`);
  }
  return raw.padStart(20, '0');
}

export interface SourceLsns {
  commitLsn: string | null;
  lsn: string | null;
}

/** Reads `source.sequence` (a JSON array as a string) and `source.lsn`. */
export function readSourceLsns(sequence: LosslessValue | undefined, lsn: LosslessValue | undefined): SourceLsns {
  let fromSequence: SourceLsns | null = null;
  if (typeof sequence === 'string') {
    let parsed: LosslessValue;
    try {
      parsed = parseLosslessJson(sequence);
    } catch (error) {
      throw new ValueError(`source.sequence is not JSON: ${JSON.stringify(sequence.slice(0, 60))}`, { cause: error });
    }
    if (!Array.isArray(parsed) || parsed.length !== 2) {
      throw new ValueError(`source.sequence must be ["<last commit LSN>","<LSN>"], got ${sequence.slice(0, 60)}`);
    }
    fromSequence = {
      commitLsn: lsnText(parsed[0], 'source.sequence[0]'),
      lsn: lsnText(parsed[1], 'source.sequence[1]'),
    };
  } else if (sequence !== undefined && sequence !== null) {
    throw new ValueError('source.sequence must be a string');
  }
  const sourceLsn = lsnText(lsn, 'source.lsn');
  return {
    commitLsn: fromSequence ? fromSequence.commitLsn : sourceLsn,
    lsn: fromSequence?.lsn ?? sourceLsn,
  };
}

export function buildPosition(lsns: SourceLsns, op: ChangeOp, table: string, key: Row | null): string {
  if (lsns.lsn === null) throw new ValueError('record has no LSN (source.sequence / source.lsn)');
  const rank = op === 'd' || op === 't' ? '1' : '2';
  const digest = createHash('sha256')
    .update(`${table}\n${canonicalJson(key)}`)
    .digest('hex')
    .slice(0, 16);
  return `${lsns.commitLsn ?? '0'.repeat(20)}.${lsns.lsn}.${rank}.${digest}`;
}

function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`)
    .join(',')}}`;
}
