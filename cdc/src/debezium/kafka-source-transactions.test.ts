import { randomUUID } from 'node:crypto';
import { createLogger, parseConfig } from '@commerce/common';
import { MemoryBus } from '@commerce/hub/bus';
import { describe, expect, it } from 'vitest';
import { cdcConfigSchema } from '../config.ts';
import { createCdc } from '../create-cdc.ts';
import { startMetricsServer } from '../metrics-server.ts';
import { routeChanges } from '../router/route.ts';
import { type DebeziumSourceConfig, debeziumSourceConfig } from './config.ts';
import { createDebeziumKafkaSource } from './kafka-source.ts';
import { committedOffsets, highWatermarks, RecordingSink, until } from './testing/kafka-test-helpers.ts';
import { useMockKafka } from './testing/mock-kafka.ts';
import { orderTransaction, type ProducedRecord } from './testing/transaction-records.ts';

/**
 * Whole transactions over the wire (librdkafka's mock cluster, kcat): an order and its lines are
 * written to two topics plus BEGIN/END on the transaction topic, in the worst order for a consumer,
 * and must reach the sinks as one transaction in total order, once, even across a crash.
 * Each test uses its own topic prefix and group.
 */
const logger = createLogger('debezium-tx-test', 'silent');

const mock = useMockKafka();

/** One record at a time, so each partition gets them in exactly this order. */
async function produce(records: readonly ProducedRecord[]): Promise<void> {
  for (const r of records) {
    await mock.producer.send({ topic: r.topic, messages: [{ key: r.key, value: r.value, partition: r.partition }] });
  }
}

function env(groupId: string, prefix: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    ...mock.sourceEnv(groupId),
    CDC_DEBEZIUM_TOPIC_PREFIX: prefix,
    CDC_KAFKA_MAX_BATCH_RECORDS: '4',
    ...overrides,
  };
}

const config = (groupId: string, prefix: string, overrides?: Record<string, string>): DebeziumSourceConfig =>
  debeziumSourceConfig.parse(env(groupId, prefix, overrides));

function startSource(cfg: DebeziumSourceConfig, sink: RecordingSink) {
  const source = createDebeziumKafkaSource(cfg, { sinks: [sink], logger, kafka: mock.kafka });
  return mock.track(source);
}

const names = () => {
  const prefix = `shop${randomUUID().slice(0, 8)}`;
  return {
    prefix,
    groupId: `g-${randomUUID()}`,
    orders: `${prefix}.public.orders`,
    lines: `${prefix}.public.order_lines`,
    tx: `${prefix}.transaction`,
  };
};

async function allCommitted(groupId: string, topics: string[]): Promise<boolean> {
  for (const topic of topics) {
    const [high, done] = await Promise.all([
      highWatermarks(mock.admin, topic),
      committedOffsets(mock.admin, groupId, topic),
    ]);
    if (![...high].every(([p, h]) => h === '0' || done.get(p) === h)) return false;
  }
  return true;
}

describe('Debezium Kafka source: whole transactions over the wire', () => {
  it('an order and its lines on two topics reach the sinks as one transaction, in total order', async () => {
    const n = names();
    const txs = [1, 2, 3, 4, 5, 6].map((i) => orderTransaction(n.prefix, 100 + i, 1 + (i % 3)));
    // lines first, then the orders, then BEGIN/END: every transaction's records are in different
    // partitions and fetches, and the first thing read of each is a line
    await produce(txs.flatMap((t) => t.lines));
    await produce(txs.map((t) => t.order));
    await produce(txs.flatMap((t) => [t.begin, t.end]));
    const total = txs.reduce((sum, t) => sum + t.positions.length, 0);

    const sink = new RecordingSink();
    const source = startSource(config(n.groupId, n.prefix), sink);
    await source.start();
    expect(source.stats().assembling).toBe(true);
    await until('every transaction', () => sink.positions().length >= total);

    expect(sink.positions()).toHaveLength(total); // once each
    for (const tx of txs) {
      const batches = sink.batches.filter((b) => b.events.some((e) => e.txId === String(tx.xid)));
      expect(batches, `transaction ${tx.xid} in one delivery`).toHaveLength(1);
      const events = batches[0]!.events.filter((e) => e.txId === String(tx.xid));
      expect(events.map((e) => e.position)).toEqual(tx.positions); // whole, order row first, lines by total_order
    }
    // commit order: the transactions come out in the order of their END records
    expect([...new Set(sink.batches.flatMap((b) => b.events.map((e) => e.txId)))]).toEqual(
      txs.map((t) => String(t.xid)),
    );
    // what the router (the bus sink) makes of the deliveries: every order.created carries its lines
    const created = sink.batches
      .flatMap((b) => routeChanges(b.events).events)
      .filter((e) => e.type === 'order.created')
      .map((e) => [e.entity.id, (e.entity.lines as unknown[]).length]);
    expect(created).toEqual(txs.map((t) => [t.orderId, t.lines.length]));
    expect(source.stats().transactions).toEqual({ complete: 6, max_wait: 0, max_buffered: 0, late: 0 });

    await until('commits at the end of every partition', () => allCommitted(n.groupId, [n.orders, n.lines, n.tx]));
    expect(source.stats().bufferedRecords).toBe(0);
    await source.stop();
  });

  it('a crash with part of a transaction read: after a restart the whole transaction arrives, once', async () => {
    const n = names();
    const [t1, t2, t3] = [
      orderTransaction(n.prefix, 201, 1),
      orderTransaction(n.prefix, 202, 2),
      orderTransaction(n.prefix, 203, 1),
    ];
    await produce([t1!.order, ...t1!.lines, t1!.begin, t1!.end]);
    // T2's lines are not in Kafka yet (Connect has not written that topic); T3 follows T2
    await produce([t2!.order, t2!.begin, t2!.end, t3!.order, ...t3!.lines, t3!.begin, t3!.end]);

    const first = new RecordingSink();
    const dying = startSource(config(n.groupId, n.prefix), first);
    await dying.start();
    await until('T1', () => first.positions().length >= t1!.positions.length);
    // T2: its order and END; T3: whole, but its END is behind T2's on the transaction topic
    await until('T2 and T3 read and held', () => dying.stats().bufferedRecords === 5);
    expect(first.positions()).toEqual(t1!.positions);
    // committed: the transaction topic up to T2's END (T1's BEGIN, END, T2's BEGIN are done), and
    // nothing past T2's order in its partition
    await until('T1 committed', async () => (await committedOffsets(mock.admin, n.groupId, n.tx)).get(0) === '3');
    expect(['-1', '0']).toContain((await committedOffsets(mock.admin, n.groupId, n.orders)).get(t2!.order.partition));
    await dying.stop(); // the process dies: only commits survive it

    await produce(t2!.lines);
    const second = new RecordingSink();
    const next = startSource(config(n.groupId, n.prefix), second);
    await next.start();
    const expected = [...t2!.positions, ...t3!.positions];
    await until('T2 and T3 after the restart', () => second.positions().length >= expected.length);
    // T2 whole and in total order, then T3; T1 (committed) not again; positions identical to the
    // ones the records decode to anywhere, so a repeat would be deduped downstream
    expect(second.positions()).toEqual(expected);
    const t2Batches = second.batches.filter((b) => b.events.some((e) => e.txId === '202'));
    expect(t2Batches).toHaveLength(1);
    const created = second.batches
      .flatMap((b) => routeChanges(b.events).events)
      .filter((e) => e.type === 'order.created');
    expect(created.map((e) => (e.entity.lines as unknown[]).length)).toEqual([2, 1]);
    await until('all committed', () => allCommitted(n.groupId, [n.orders, n.lines, n.tx]));
    await next.stop();
  });

  it('a transaction that never gets whole goes out after CDC_KAFKA_TX_MAX_WAIT_MS, and its straggler alone', async () => {
    const n = names();
    const t = orderTransaction(n.prefix, 301, 2);
    await produce([t.order, t.lines[0]!, t.begin, t.end]); // the second line is missing
    const sink = new RecordingSink();
    const source = startSource(config(n.groupId, n.prefix, { CDC_KAFKA_TX_MAX_WAIT_MS: '500' }), sink);
    await source.start();
    // nothing more arrives: the bound timer delivers it while the consumer idles
    await until('the incomplete transaction', () => sink.positions().length >= 2);
    expect(sink.positions()).toEqual(t.positions.slice(0, 2));
    expect(source.stats().transactions.max_wait).toBe(1);
    await until('its offsets committed', () => allCommitted(n.groupId, [n.orders, n.lines, n.tx]));

    await produce([t.lines[1]!]);
    await until('the straggler', () => sink.positions().length >= 3);
    expect(sink.positions()).toEqual(t.positions);
    expect(source.stats().transactions).toEqual({ complete: 0, max_wait: 1, max_buffered: 0, late: 1 });
    await source.stop();
  });

  it('two members: one reads every partition, the other stands by, so no transaction is split', async () => {
    const n = names();
    const txs = [1, 2, 3, 4, 5, 6].map((i) => orderTransaction(n.prefix, 500 + i, 2));
    const write = (some: typeof txs) =>
      produce([...some.flatMap((t) => t.lines), ...some.map((t) => t.order), ...some.flatMap((t) => [t.begin, t.end])]);
    await write(txs.slice(0, 2));
    const [sinkA, sinkB] = [new RecordingSink(), new RecordingSink()];
    const a = startSource(config(n.groupId, n.prefix), sinkA);
    await a.start();
    await until('A delivers', () => sinkA.positions().length >= 6);
    const b = startSource(config(n.groupId, n.prefix), sinkB);
    await b.start();
    await write(txs.slice(2));
    const delivered = () => new Set([...sinkA.positions(), ...sinkB.positions()]);
    await until('every transaction across both members', () => delivered().size >= 18, 20_000);
    // each delivery of a transaction (a rebalance may repeat one) holds all of it, in total order
    for (const tx of txs) {
      const deliveries = [...sinkA.batches, ...sinkB.batches]
        .map((batch) => batch.events.filter((e) => e.txId === String(tx.xid)).map((e) => e.position))
        .filter((positions) => positions.length > 0);
      expect(deliveries.length).toBeGreaterThan(0);
      for (const positions of deliveries) expect(positions).toEqual(tx.positions);
    }
    await Promise.all([a.stop(), b.stop()]);
  });

  it('CDC_SOURCE=debezium serves /ready and /metrics, and the bus gets order.created with its lines', async () => {
    const n = names();
    const t = orderTransaction(n.prefix, 401, 2);
    await produce([...t.lines, t.order, t.begin, t.end]);
    const bus = new MemoryBus({ historyMax: 100, dedupeWindow: 100 });
    const cdcConfig = parseConfig(cdcConfigSchema, {
      DATABASE_URL: 'postgres://cdc@127.0.0.1:1/none', // order events need no catalog reads
      CDC_SOURCE: 'debezium',
      BUS_DRIVER: 'memory',
    });
    const cdc = createCdc({ config: cdcConfig, logger, bus, env: env(n.groupId, n.prefix) });
    const http = await startMetricsServer({
      host: '127.0.0.1',
      port: 0,
      registry: cdc.metrics.registry,
      ready: () => cdc.ready,
      healthy: () => !cdc.failed,
    });
    const get = (path: string) => fetch(`http://127.0.0.1:${http.port}${path}`);
    try {
      expect((await get('/ready')).status).toBe(503);
      await cdc.start();
      await until('ready', async () => (await get('/ready')).status === 200);
      expect((await get('/health')).status).toBe(200);

      const topic = 'm:7:b:3:orders';
      await until('order.created on the bus', async () => (await bus.head(topic)).seq > 0);
      const history = await bus.history(topic, { epoch: (await bus.head(topic)).epoch, seq: 0 }, 10);
      if (!history.recovered) throw new Error('bus history lost');
      const entries = history.entries;
      expect(entries.map((e) => e.event.type)).toEqual(['order.created']);
      const lines = entries[0]!.event.entity.lines as { lineNo: number }[];
      expect(lines.map((l) => l.lineNo)).toEqual([1, 2]);

      const text = await (await get('/metrics')).text();
      expect(text).toMatch(/cdc_debezium_records_total\{outcome="change"\} 3\b/);
      expect(text).toMatch(/cdc_debezium_records_total\{outcome="transaction"\} 2\b/);
      expect(text).toMatch(/cdc_debezium_transactions_total\{outcome="complete"\} 1\b/);
      expect(text).toMatch(/cdc_changes_total\{source="debezium"\} 3\b/);
      expect(text).toMatch(/cdc_debezium_buffered_records 0\b/);
      expect(text).toMatch(new RegExp(`cdc_kafka_consumer_lag\\{topic="${n.tx}",partition="0"\\} 0\\b`));
    } finally {
      await cdc.stop();
      await http.stop();
    }
  });
});
