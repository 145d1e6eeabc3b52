import { randomUUID } from 'node:crypto';
import { comparePositions, createLogger } from '@commerce/common';
import { describe, expect, it } from 'vitest';
import { debeziumSourceConfig } from './config.ts';
import { loadFixtures } from './fixtures.ts';
import { createDebeziumKafkaSource, type DebeziumKafkaSource } from './kafka-source.ts';
import { RecordingSink, until } from './testing/kafka-test-helpers.ts';
import { useMockKafka } from './testing/mock-kafka.ts';
import { type SchemaOrder, schemaOrderTransaction } from './testing/schema-records.ts';
import { PARTITIONS, type ProducedRecord } from './testing/transaction-records.ts';

/**
 * Over the wire (librdkafka's mock cluster, kcat) with records as the shipped connector writes them:
 * JsonConverter with schemas.enable=true for keys and values, transaction metadata included. The
 * other wire tests use schemas.enable=false records; these check the schema path end to end.
 */
const logger = createLogger('debezium-schemas-test', 'silent');

const mock = useMockKafka({ admin: false });

/** One record at a time, so each partition gets them in exactly this order. */
async function produce(records: readonly ProducedRecord[]): Promise<void> {
  for (const r of records) {
    await mock.producer.send({ topic: r.topic, messages: [{ key: r.key, value: r.value, partition: r.partition }] });
  }
}

function startSource(prefix: string, sink: RecordingSink): DebeziumKafkaSource {
  const config = debeziumSourceConfig.parse({
    ...mock.sourceEnv(`g-${randomUUID()}`),
    CDC_DEBEZIUM_TOPIC_PREFIX: prefix,
  });
  const source = createDebeziumKafkaSource(config, { sinks: [sink], logger, kafka: mock.kafka });
  return mock.track(source);
}

const ORDERS: SchemaOrder[] = [
  {
    xid: 7001,
    orderId: 9007199254740993n, // 2^53 + 1: JSON.parse reads 9007199254740992
    total: 12345678901234567891n, // 20 digits: no double holds them
    discount: -5n,
    placedAt: '2026-11-22T12:15:30.123456+02:00',
    lines: [
      { id: 90071992547409931n, unitPrice: 450n, quantity: 2 },
      { id: 90071992547409933n, unitPrice: -1230n, quantity: 1 },
    ],
  },
  {
    xid: 7002,
    orderId: 9223372036854775807n, // int64 max
    total: 1n,
    discount: 0n,
    placedAt: '2026-11-22T10:15:30Z',
    lines: [{ id: 9223372036854775806n, unitPrice: 99999999999n, quantity: 3 }],
  },
];

/** What each transaction must come out as, written out by hand. */
const EXPECTED = [
  [
    {
      table: 'public.orders',
      key: { id: '9007199254740993' },
      after: {
        id: '9007199254740993',
        merchant_id: '7',
        total: '123456789012345678.91',
        discount: '-0.05',
        placed_at: '2026-11-22T10:15:30.123456Z',
        note: null,
      },
    },
    {
      table: 'public.order_lines',
      key: { id: '90071992547409931' },
      after: { id: '90071992547409931', order_id: '9007199254740993', line_no: 1, unit_price: '4.50', quantity: 2 },
    },
    {
      table: 'public.order_lines',
      key: { id: '90071992547409933' },
      after: { id: '90071992547409933', order_id: '9007199254740993', line_no: 2, unit_price: '-12.30', quantity: 1 },
    },
  ],
  [
    {
      table: 'public.orders',
      key: { id: '9223372036854775807' },
      after: {
        id: '9223372036854775807',
        merchant_id: '7',
        total: '0.01',
        discount: '0.00',
        placed_at: '2026-11-22T10:15:30.000000Z',
        note: null,
      },
    },
    {
      table: 'public.order_lines',
      key: { id: '9223372036854775806' },
      after: {
        id: '9223372036854775806',
        order_id: '9223372036854775807',
        line_no: 1,
        unit_price: '999999999.99',
        quantity: 3,
      },
    },
  ],
];

describe('Debezium Kafka source over the wire with schemas.enable=true (the shipped connector)', () => {
  it('a transaction of schema-enveloped records comes out whole, int64 beyond 2^53 and precise decimals exact', async () => {
    const prefix = `shop${randomUUID().slice(0, 8)}`;
    const txs = ORDERS.map((order) => schemaOrderTransaction(prefix, order, PARTITIONS));
    // the trap is real: a plain JSON.parse of the record rounds the id
    expect(String(JSON.parse(txs[0]![1]!.value).payload.after.id)).not.toBe('9007199254740993');
    // data records first, BEGIN/END last: the source must hold every change until its END
    await produce(txs.flatMap((records) => records.slice(1, -1)));
    await produce(txs.flatMap((records) => [records[0]!, records.at(-1)!]));

    const sink = new RecordingSink();
    const source = startSource(prefix, sink);
    await source.start();
    const total = EXPECTED.flat().length;
    await until('every change', () => sink.positions().length >= total);

    expect(sink.positions()).toHaveLength(total);
    const stats = source.stats();
    expect(stats.deadLettered).toBe(0);
    expect(stats.skipped.transaction).toBe(2 * ORDERS.length);
    expect(stats.transactions.complete).toBe(ORDERS.length);
    ORDERS.forEach((order, i) => {
      // one batch holds the whole transaction, in total order
      const batches = sink.batches.filter((b) => b.events.some((e) => e.txId === String(order.xid)));
      expect(batches).toHaveLength(1);
      const events = batches[0]!.events.filter((e) => e.txId === String(order.xid));
      expect(events.map(({ table, key, after }) => ({ table, key, after }))).toEqual(EXPECTED[i]);
      for (const e of events) {
        expect(e).toMatchObject({ source: 'debezium', op: 'c', before: null, unchanged: [], commitTs: 1795342530123 });
      }
      expect([...events.map((e) => e.position)].sort(comparePositions)).toEqual(events.map((e) => e.position));
    });
    await source.stop();
  });

  it('every recorded-format fixture with schemas arrives over the wire as the event it expects', async () => {
    const fixtures = loadFixtures().filter(
      (f) =>
        f.record.value?.startsWith('{"schema":') &&
        f.expect.kind === 'change' &&
        f.expect.transaction === undefined &&
        Object.keys(f.options).length === 0,
    );
    expect(fixtures.length).toBeGreaterThan(10);
    // the fixtures' topics are commerce.public.*: the default prefix, in a cluster of this file's own
    await produce(
      fixtures.map((f) => ({ topic: f.record.topic, partition: 0, key: f.record.key!, value: f.record.value! })),
    );
    const expected = fixtures.map((f) => (f.expect.kind === 'change' ? f.expect.event : null));

    const sink = new RecordingSink();
    const source = startSource('commerce', sink);
    await source.start();
    await until('every fixture’s change', () => sink.positions().length >= expected.length);

    const byPosition = (a: { position: string }, b: { position: string }) => comparePositions(a.position, b.position);
    const received = sink.batches.flatMap((b) => b.events);
    expect(received.sort(byPosition)).toEqual(expected.sort((a, b) => byPosition(a!, b!)));
    expect(source.stats().deadLettered).toBe(0);
    await source.stop();
  });
});
