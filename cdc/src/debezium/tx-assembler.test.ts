import type { ChangeEvent } from '@commerce/common';
import { describe, expect, it } from 'vitest';
import { transactionKey } from './transaction-metadata.ts';
import { type AssemblerInput, KafkaTransactionAssembler, type RecordAt, type Unit } from './tx-assembler.ts';

const ORDERS = 'commerce.public.orders';
const LINES = 'commerce.public.order_lines';
const LEVELS = 'commerce.public.inventory_levels';
const TX = 'commerce.transaction';

/** A change of transaction `xid` as Debezium 2.x writes it: id `<xid>:<this record's LSN>`. */
function change(table: string, xid: number, totalOrder: number, id: number): AssemblerInput {
  const commitLsn = String(1_000_000 + xid * 1000).padStart(20, '0');
  const lsn = String(1_000_000 + xid * 1000 + totalOrder).padStart(20, '0');
  const event: ChangeEvent = {
    source: 'debezium',
    table: `public.${table}`,
    op: 'c',
    key: { id: String(id) },
    before: null,
    after: { id: String(id) },
    unchanged: [],
    txId: String(xid),
    commitTs: 1795342530123,
    position: `${commitLsn}.${lsn}.2.${String(id).padStart(16, '0')}`,
  };
  const txId = `${xid}:${Number(lsn)}`;
  return {
    kind: 'change',
    event,
    transaction: { id: txId, key: transactionKey(txId), totalOrder, dataCollectionOrder: totalOrder },
  };
}

function end(xid: number, counts: Record<string, number>): AssemblerInput {
  const id = `${xid}:${1_000_000 + xid * 1000 + 999}`;
  const dataCollections = Object.entries(counts).map(([t, n]) => ({ dataCollection: `public.${t}`, eventCount: n }));
  return {
    kind: 'end',
    boundary: {
      status: 'END',
      id,
      key: transactionKey(id),
      eventCount: dataCollections.reduce((n, c) => n + c.eventCount, 0),
      dataCollections,
      tsMs: 1795342530123,
    },
  };
}

const single = (table: string, id: number): AssemblerInput => {
  const c = change(table, 0, 1, id) as Extract<AssemblerInput, { kind: 'change' }>;
  return { kind: 'change', event: { ...c.event, op: 'r', txId: null }, transaction: null };
};

function assembler(
  options: { maxBufferedRecords?: number; maxWaitMs?: number; consumes?: (c: string) => boolean } = {},
) {
  let clock = 0;
  const asm = new KafkaTransactionAssembler({
    maxBufferedRecords: options.maxBufferedRecords ?? 1000,
    maxWaitMs: options.maxWaitMs ?? 60_000,
    now: () => clock,
    consumes: options.consumes,
  });
  const offsets = new Map<string, number>();
  const feed = (topic: string, input: AssemblerInput, partition = 0) => {
    const id = `${topic}/${partition}`;
    const offset = offsets.get(id) ?? 0;
    offsets.set(id, offset + 1);
    return asm.push({ topic, partition, offset: String(offset) }, input);
  };
  /** takes and delivers everything ready; returns each unit's events as `table:id` */
  const drain = (maxChanges = 1000): string[][] => {
    const out: string[][] = [];
    for (let units = asm.take(maxChanges); units.length > 0; units = asm.take(maxChanges)) {
      asm.delivered(units);
      out.push(...units.map(show));
    }
    return out;
  };
  return {
    asm,
    feed,
    drain,
    tick: (ms: number) => {
      clock += ms;
    },
  };
}

const show = (u: Unit) => u.events.map((e) => `${e.table.slice(7)}:${e.key!.id}`);

function commits(asm: KafkaTransactionAssembler): Record<string, string> {
  const offsets = asm.pendingCommits();
  asm.committed(offsets);
  return Object.fromEntries(offsets.map((c: RecordAt) => [`${c.topic}/${c.partition}`, c.offset]));
}

describe('Kafka transaction assembler', () => {
  it('groups an order and its lines from two topics into one transaction, in total_order', () => {
    const { asm, feed, drain } = assembler();
    // lines arrive first (their partition was fetched first), the order row later, END last
    feed(LINES, change('order_lines', 7, 3, 72));
    feed(LINES, change('order_lines', 7, 2, 71));
    expect(drain()).toEqual([]);
    feed(ORDERS, change('orders', 7, 1, 70));
    expect(drain()).toEqual([]);
    feed(TX, end(7, { orders: 1, order_lines: 2 }));
    expect(drain()).toEqual([['orders:70', 'order_lines:71', 'order_lines:72']]);
    expect(asm.stats()).toEqual({ bufferedRecords: 0, bufferedTransactions: 0, oldestAgeMs: 0 });
  });

  it('keeps interleaved transactions across topics and partitions apart', () => {
    const { feed, drain } = assembler();
    feed(ORDERS, change('orders', 1, 1, 10), 0);
    feed(ORDERS, change('orders', 2, 1, 20), 1);
    feed(LINES, change('order_lines', 2, 2, 21), 1);
    feed(LINES, change('order_lines', 1, 2, 11), 0);
    feed(LINES, change('order_lines', 2, 3, 22), 0);
    feed(TX, end(1, { orders: 1, order_lines: 1 }));
    feed(TX, end(2, { orders: 1, order_lines: 2 }));
    expect(drain()).toEqual([
      ['orders:10', 'order_lines:11'],
      ['orders:20', 'order_lines:21', 'order_lines:22'],
    ]);
  });

  it('waits for the data when END comes first, and an END of zero events completes at once', () => {
    const { feed, drain } = assembler();
    feed(TX, end(3, { orders: 1, order_lines: 1 }));
    feed(ORDERS, change('orders', 3, 1, 30));
    expect(drain()).toEqual([]);
    feed(LINES, change('order_lines', 3, 2, 31));
    feed(TX, end(4, {}));
    expect(drain()).toEqual([['orders:30', 'order_lines:31'], []]);
  });

  it('hands out transactions in END order and never overtakes within a partition', () => {
    const { asm, feed, drain } = assembler();
    // T1 needs a line that has not been fetched; T2 is whole but its END is behind T1's
    feed(ORDERS, change('orders', 1, 1, 10));
    feed(TX, end(1, { orders: 1, order_lines: 1 }));
    feed(LEVELS, change('inventory_levels', 2, 1, 200));
    feed(TX, end(2, { inventory_levels: 1 }));
    // T3 touches only another partition of orders but still follows T2 on the transaction topic
    feed(ORDERS, change('orders', 3, 1, 30), 1);
    feed(TX, end(3, { orders: 1 }));
    expect(drain()).toEqual([]);
    expect(asm.stats().bufferedRecords).toBe(6);
    feed(LINES, change('order_lines', 1, 2, 11));
    expect(drain()).toEqual([['orders:10', 'order_lines:11'], ['inventory_levels:200'], ['orders:30']]);
  });

  it('commits each partition only up to its first record of an undelivered transaction', () => {
    const { asm, feed, drain } = assembler();
    feed(ORDERS, single('orders', 1)); // snapshot read: offset 0
    feed(ORDERS, change('orders', 5, 1, 50)); // offset 1, waits for its line
    feed(ORDERS, { kind: 'skip' }); // tombstone: offset 2
    feed(ORDERS, change('orders', 6, 1, 60)); // offset 3, whole but behind T5
    feed(TX, { kind: 'skip' }); // BEGIN
    feed(TX, end(5, { orders: 1, order_lines: 1 })); // offset 1
    feed(TX, end(6, { orders: 1 })); // offset 2
    feed(LINES, { kind: 'skip' }); // some unrelated tombstone: offset 0
    expect(drain()).toEqual([['orders:1']]);
    expect(commits(asm)).toEqual({ [`${ORDERS}/0`]: '1', [`${TX}/0`]: '1', [`${LINES}/0`]: '1' });
    expect(asm.pendingCommits()).toEqual([]); // nothing moved since

    feed(LINES, change('order_lines', 5, 2, 51)); // offset 1
    expect(drain()).toEqual([['orders:50', 'order_lines:51'], ['orders:60']]);
    expect(commits(asm)).toEqual({ [`${ORDERS}/0`]: '4', [`${TX}/0`]: '3', [`${LINES}/0`]: '2' });
  });

  it('holds no offset for handed-out units until they are delivered', () => {
    const { asm, feed } = assembler();
    feed(ORDERS, change('orders', 1, 1, 10));
    feed(TX, end(1, { orders: 1 }));
    const units = asm.take(100);
    expect(units.map(show)).toEqual([['orders:10']]);
    expect(commits(asm)).toEqual({ [`${ORDERS}/0`]: '0', [`${TX}/0`]: '0' });
    asm.delivered(units);
    expect(commits(asm)).toEqual({ [`${ORDERS}/0`]: '1', [`${TX}/0`]: '1' });
  });

  it('passes records without transaction metadata through, one unit each, in partition order', () => {
    const { feed, drain } = assembler();
    feed(ORDERS, single('orders', 1));
    feed(ORDERS, single('orders', 2));
    feed(LEVELS, single('inventory_levels', 3));
    expect(drain(1)).toEqual([['orders:1'], ['orders:2'], ['inventory_levels:3']]);
  });

  it('batches whole units up to maxChanges and never splits a transaction', () => {
    const { asm, feed } = assembler();
    for (let i = 1; i <= 3; i++) feed(LEVELS, single('inventory_levels', i));
    feed(ORDERS, change('orders', 9, 1, 90));
    feed(LINES, change('order_lines', 9, 2, 91));
    feed(LINES, change('order_lines', 9, 3, 92));
    feed(TX, end(9, { orders: 1, order_lines: 2 }));
    const first = asm.take(2);
    expect(first.map(show)).toEqual([['inventory_levels:1'], ['inventory_levels:2']]);
    asm.delivered(first);
    // one more change would fit, but not the transaction's three
    const second = asm.take(2);
    expect(second.map(show)).toEqual([['inventory_levels:3']]);
    asm.delivered(second);
    // alone it goes whole, past the limit
    expect(asm.take(2).map(show)).toEqual([['orders:90', 'order_lines:91', 'order_lines:92']]);
  });

  it('ignores a re-fetched offset and a re-sent total_order', () => {
    const { asm, feed, drain } = assembler();
    expect(asm.push({ topic: ORDERS, partition: 0, offset: '0' }, change('orders', 1, 1, 10))).toBe(true);
    expect(asm.push({ topic: ORDERS, partition: 0, offset: '0' }, change('orders', 1, 1, 10))).toBe(false);
    // the connector restarted and wrote the record again, at a new offset
    expect(asm.push({ topic: ORDERS, partition: 0, offset: '1' }, change('orders', 1, 1, 10))).toBe(true);
    feed(LINES, change('order_lines', 1, 2, 11));
    feed(TX, end(1, { orders: 1, order_lines: 1 }));
    expect(drain()).toEqual([['orders:10', 'order_lines:11']]);
    expect(asm.frontier(ORDERS, 0)).toBe(2n);
  });

  it('counts only the data collections whose topics are consumed', () => {
    const { feed, drain } = assembler({ consumes: (c) => c !== 'public.stock_movements' });
    feed(LEVELS, change('inventory_levels', 4, 1, 40));
    feed(TX, end(4, { inventory_levels: 1, stock_movements: 1 }));
    expect(drain()).toEqual([['inventory_levels:40']]);
  });

  it('at the buffer bound hands out the oldest transaction as it is, and its stragglers alone', () => {
    const { asm, feed, drain } = assembler({ maxBufferedRecords: 3 });
    feed(ORDERS, change('orders', 1, 1, 10));
    feed(TX, end(1, { orders: 1, order_lines: 2 }));
    feed(LINES, change('order_lines', 1, 2, 11));
    expect(drain()).toEqual([]);
    feed(ORDERS, change('orders', 2, 1, 20)); // 4 records wait now
    const units = asm.take(100);
    expect(units.map(show)).toEqual([['orders:10', 'order_lines:11']]);
    expect(units[0]!.incomplete).toEqual({ reason: 'max_buffered', expected: 3, present: 2, missing: [3], ageMs: 0 });
    asm.delivered(units);
    // the missing line turns up later: delivered on its own, marked late
    feed(LINES, change('order_lines', 1, 3, 12));
    const late = asm.take(100);
    expect(late.map(show)).toEqual([['order_lines:12']]);
    expect(late[0]!.incomplete?.reason).toBe('late');
    asm.delivered(late);
    feed(TX, end(2, { orders: 1 }));
    expect(drain()).toEqual([['orders:20']]);
    expect(asm.stats().bufferedRecords).toBe(0);
  });

  it('after maxWaitMs hands out the oldest transaction as it is, then what waited behind it', () => {
    const { asm, feed, drain, tick } = assembler({ maxWaitMs: 1000 });
    feed(LEVELS, change('inventory_levels', 1, 1, 100)); // T1 never sees its END
    tick(10);
    feed(LEVELS, change('inventory_levels', 2, 1, 200)); // T2, whole, behind T1 in the same partition
    feed(TX, end(2, { inventory_levels: 1 }));
    expect(drain()).toEqual([]);
    tick(990);
    expect(drain()).toEqual([]);
    expect(asm.stats()).toEqual({ bufferedRecords: 3, bufferedTransactions: 2, oldestAgeMs: 1000 });
    tick(1);
    const units = asm.take(100);
    expect(units.map(show)).toEqual([['inventory_levels:100'], ['inventory_levels:200']]);
    expect(units[0]!.incomplete).toEqual({ reason: 'max_wait', expected: null, present: 1, missing: [], ageMs: 1001 });
    expect(units[1]!.incomplete).toBeUndefined();
    asm.delivered(units);
    expect(commits(asm)).toEqual({ [`${LEVELS}/0`]: '2', [`${TX}/0`]: '1' });
  });

  it('forcing the oldest transaction first forces the one that blocks it (partition order holds)', () => {
    const { asm, feed, tick } = assembler({ maxWaitMs: 1000 });
    feed(LEVELS, change('inventory_levels', 1, 1, 100)); // T1 starts first…
    feed(ORDERS, change('orders', 2, 1, 20)); // …T2 (no END ever) sits before T1 in orders
    feed(ORDERS, change('orders', 1, 2, 10));
    feed(TX, end(1, { inventory_levels: 1, orders: 1 }));
    tick(1001);
    const units = asm.take(100);
    expect(units.map(show)).toEqual([['orders:20'], ['inventory_levels:100', 'orders:10']]);
    expect(units[0]!.incomplete?.reason).toBe('max_wait');
    expect(units[1]!.incomplete).toBeUndefined();
  });

  it('groups Debezium 2.x ids (<xid>:<lsn>, different on every record) by xid, and keeps bare ids', () => {
    expect(transactionKey('5012:37690112')).toBe('5012');
    expect(transactionKey('5012:37690480')).toBe('5012');
    expect(transactionKey('571')).toBe('571');
    expect(transactionKey('00000025:00000d08:0025')).toBe('00000025:00000d08:0025');
  });
});
