import { describe, expect, it } from 'vitest';
import { decodePgoutput } from './pgoutput-decoder.ts';
import { pgoutput } from './pgoutput-fixtures.ts';
import { AssemblerError, fillKeys, TransactionAssembler } from './tx-assembler.ts';

const ORDERS = 100;
const LINES = 101;
// 2026-11-22T10:15:30.123456Z in microseconds since 2000-01-01
const COMMIT_MICROS = BigInt(Date.UTC(2026, 10, 22, 10, 15, 30, 123) - 946_684_800_000) * 1000n + 456n;

function feed(assembler: TransactionAssembler, ...messages: Buffer[]) {
  return messages.map((m) => assembler.push(decodePgoutput(m))).filter((tx) => tx !== null);
}

const relations = [
  pgoutput.type(16_500, 'public', 'order_status'),
  pgoutput.relation(ORDERS, 'public', 'orders', 'f', [
    { name: 'id', typeOid: 20, key: true },
    { name: 'status', typeOid: 16_500, key: true },
    { name: 'note', typeOid: 25, key: true },
  ]),
  pgoutput.relation(LINES, 'public', 'order_lines', 'd', [
    { name: 'id', typeOid: 20, key: true },
    { name: 'quantity', typeOid: 23 },
    { name: 'note', typeOid: 25 },
  ]),
];

describe('transaction assembler', () => {
  it('builds one transaction per commit with positions, commit time and txId', () => {
    const a = new TransactionAssembler();
    a.setPrimaryKey(ORDERS, ['id']);
    const [tx] = feed(
      a,
      pgoutput.begin(0x500n, COMMIT_MICROS, 77),
      ...relations,
      pgoutput.insert(ORDERS, ['1', 'created', 'n']),
      pgoutput.insert(LINES, ['10', '2', null]),
      pgoutput.commit(0x500n, 0x528n, COMMIT_MICROS),
    );
    expect(tx).toMatchObject({ xid: '77', commitLsn: 0x500n, endLsn: 0x528n, unresolvedKeys: [] });
    expect(tx!.commitTs).toBe(Date.UTC(2026, 10, 22, 10, 15, 30, 123));
    expect(tx!.events).toEqual([
      {
        source: 'pg',
        table: 'public.orders',
        op: 'c',
        key: { id: '1' },
        before: null,
        after: { id: '1', status: 'created', note: 'n' },
        unchanged: [],
        txId: '77',
        commitTs: tx!.commitTs,
        position: '0000000000000528/00000000',
      },
      expect.objectContaining({
        table: 'public.order_lines',
        key: { id: '10' },
        after: { id: '10', quantity: 2, note: null },
        position: '0000000000000528/00000001',
      }),
    ]);
  });

  it('maps updates and deletes by replica identity, and unchanged TOAST values', () => {
    const a = new TransactionAssembler();
    a.setPrimaryKey(ORDERS, ['id']);
    const [tx] = feed(
      a,
      ...relations,
      pgoutput.begin(0x600n, COMMIT_MICROS, 78),
      // FULL: old row complete, an unchanged TOAST value is taken from it
      pgoutput.update(ORDERS, ['1', 'paid', 'UNCHANGED'], { kind: 'O', values: ['1', 'created', 'long note'] }),
      // DEFAULT without key change: no old row; the unchanged value is listed, not invented
      pgoutput.update(LINES, ['10', '3', 'UNCHANGED']),
      // DEFAULT with a key change: the old key only
      pgoutput.update(LINES, ['11', '3', 'x'], { kind: 'K', values: ['10', null, null] }),
      pgoutput.delete(LINES, 'K', ['11', null, null]),
      pgoutput.delete(ORDERS, 'O', ['1', 'paid', 'long note']),
      pgoutput.truncate([ORDERS, LINES]),
      pgoutput.commit(0x600n, 0x628n, COMMIT_MICROS),
    );
    const [full, partial, rekeyed, deletedLine, deletedOrder, t1, t2] = tx!.events;
    expect(full).toMatchObject({
      op: 'u',
      key: { id: '1' },
      before: { id: '1', status: 'created', note: 'long note' },
    });
    expect(full!.after).toEqual({ id: '1', status: 'paid', note: 'long note' });
    expect(full!.unchanged).toEqual([]);
    expect(partial).toMatchObject({
      op: 'u',
      key: { id: '10' },
      before: null,
      after: { id: '10', quantity: 3 },
      unchanged: ['note'],
    });
    expect(rekeyed).toMatchObject({ op: 'u', key: { id: '11' }, before: { id: '10' } });
    expect(deletedLine).toMatchObject({ op: 'd', key: { id: '11' }, before: { id: '11' }, after: null });
    expect(deletedOrder).toMatchObject({
      op: 'd',
      key: { id: '1' },
      before: { id: '1', status: 'paid', note: 'long note' },
    });
    expect([t1, t2].map((e) => [e!.table, e!.op, e!.key])).toEqual([
      ['public.orders', 't', null],
      ['public.order_lines', 't', null],
    ]);
  });

  it('leaves FULL-identity keys to be looked up when the primary key is not known yet', () => {
    const a = new TransactionAssembler();
    const [tx] = feed(
      a,
      ...relations,
      pgoutput.begin(0x700n, COMMIT_MICROS, 79),
      pgoutput.insert(ORDERS, ['5', 'created', 'n']),
      pgoutput.commit(0x700n, 0x728n, COMMIT_MICROS),
    );
    expect(tx!.events[0]!.key).toBeNull();
    expect(tx!.unresolvedKeys).toEqual([{ index: 0, relationOid: ORDERS }]);
    fillKeys(tx!, (oid) => (oid === ORDERS ? ['id'] : undefined));
    expect(tx!.events[0]!.key).toEqual({ id: '5' });
    expect(tx!.unresolvedKeys).toEqual([]);
  });

  it('refuses a stream that breaks the protocol', () => {
    const a = new TransactionAssembler();
    expect(() => feed(a, pgoutput.insert(ORDERS, ['1']))).toThrow(AssemblerError);
    expect(() => feed(a, pgoutput.commit(1n, 2n, 3n))).toThrow(/commit without begin/);
    feed(a, pgoutput.begin(1n, 1n, 1));
    expect(a.inTransaction).toBe(true);
    expect(() => feed(a, pgoutput.insert(999, ['1']))).toThrow(/before its relation message/);
    expect(() => feed(a, pgoutput.begin(1n, 1n, 2))).toThrow(/begin inside/);
  });
});
