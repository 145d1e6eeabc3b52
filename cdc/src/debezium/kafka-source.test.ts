import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { AppError, type ChangeSink, createLogger } from '@commerce/common';
import { Partitioners } from 'kafkajs';
import { beforeAll, describe, expect, it } from 'vitest';
import { type DebeziumSourceConfig, debeziumSourceConfig } from './config.ts';
import { DLQ_HEADERS } from './dead-letter.ts';
import { createDebeziumDecoder } from './decoder.ts';
import { createDebeziumKafkaSource } from './kafka-source.ts';
import { committedOffsets, highWatermarks as highs, RecordingSink, until } from './testing/kafka-test-helpers.ts';
import { useMockKafka } from './testing/mock-kafka.ts';

/**
 * Over the wire against librdkafka's mock cluster (kcat): Debezium-format records produced with
 * kafkajs, consumed by the source's consumer group into recording sinks.
 */
const logger = createLogger('debezium-source-test', 'silent');
const ORDERS = 'commerce.public.orders';
const LEVELS = 'commerce.public.inventory_levels';
const HEARTBEAT = '__debezium-heartbeat.commerce';
const DLQ = 'commerce.cdc.dlq';
const BIG = 9007199254740993n;
const ODD_VALUE = '{"op":"m","ts_ms":1795342530123,"source":{},"message":{"prefix":{}}}';

const mock = useMockKafka({ createPartitioner: Partitioners.DefaultPartitioner });

/** A schemas.enable=false Debezium create record; ids beyond 2^53, LSNs growing with `seq`. */
function orderRecord(table: string, seq: number): { key: string; value: string } {
  const id = (BIG + BigInt(seq)).toString();
  const lsn = 40_000_000 + seq * 100;
  return {
    key: `{"id":${id}}`,
    value:
      `{"before":null,"after":{"id":${id},"merchant_id":7,"on_hand":${seq}},` +
      `"source":{"version":"2.7.3.Final","connector":"postgresql","name":"commerce","ts_ms":1795342530123,` +
      `"snapshot":"false","db":"commerce","sequence":"[\\"${lsn - 50}\\",\\"${lsn}\\"]","schema":"public",` +
      `"table":"${table}","txId":${6000 + seq},"lsn":${lsn},"xmin":null},"op":"c","ts_ms":1795342530200}`,
  };
}

interface Produced {
  positions: Set<string>;
}

/** Changes on two tables, plus a tombstone, a heartbeat and one undecodable record. */
async function produceStream(from: number, count: number): Promise<Produced> {
  const decoder = createDebeziumDecoder();
  const positions = new Set<string>();
  const orders: { key: string; value: string }[] = [];
  const levels: { key: string; value: string }[] = [];
  for (let i = from; i < from + count; i++) {
    const topic = i % 2 === 0 ? ORDERS : LEVELS;
    const record = orderRecord(i % 2 === 0 ? 'orders' : 'inventory_levels', i);
    const decoded = decoder.decode({ topic, partition: 0, offset: '0', ...record });
    if (decoded.kind !== 'change') throw new Error('test record does not decode');
    positions.add(decoded.event.position);
    (i % 2 === 0 ? orders : levels).push(record);
  }
  await mock.producer.send({ topic: ORDERS, messages: orders });
  await mock.producer.send({ topic: LEVELS, messages: levels });
  return { positions };
}

function config(groupId: string, overrides: Partial<Record<string, string>> = {}): DebeziumSourceConfig {
  return debeziumSourceConfig.parse({
    ...mock.sourceEnv(groupId),
    CDC_KAFKA_MAX_BATCH_RECORDS: '4',
    ...overrides,
  });
}

function startSource(
  cfg: DebeziumSourceConfig,
  sink: ChangeSink,
  extra: { onFatal?: (e: unknown) => void; stopGraceMs?: number } = {},
) {
  const source = createDebeziumKafkaSource(cfg, { sinks: [sink], logger, kafka: mock.kafka, ...extra });
  return mock.track(source);
}

const committed = (groupId: string, topic: string) => committedOffsets(mock.admin, groupId, topic);
const highWatermarks = (topic: string) => highs(mock.admin, topic);

/** Reads a whole topic with kcat as a plain (group-less) consumer: an independent view of the DLQ. */
async function readTopicWithKcat(topic: string): Promise<{ payload: string | null; headers: string[] | null }[]> {
  const { stdout } = await promisify(execFile)(
    'kcat',
    ['-C', '-b', mock.brokers.join(','), '-t', topic, '-o', 'beginning', '-e', '-J', '-q'],
    { timeout: 10_000 },
  );
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

describe('Debezium Kafka source over the wire (librdkafka mock cluster)', () => {
  let first: Produced;
  // every change any run must deliver (the first test adds a late topic's change)
  let expected: Set<string>;

  beforeAll(async () => {
    first = await produceStream(0, 40);
    expected = new Set(first.positions);
    await mock.producer.send({ topic: ORDERS, messages: [{ key: `{"id":${BIG}}`, value: null }] });
    await mock.producer.send({
      topic: HEARTBEAT,
      messages: [{ key: '{"serverName":"commerce"}', value: '{"ts_ms":1795342530123}' }],
    });
    await mock.producer.send({
      topic: LEVELS,
      messages: [{ key: '{"id":1}', value: '{"op":"x","source":{}}', headers: { trace: 'abc' } }],
    });
    // a record the decoder trips over with a TypeError (a message prefix that is an object): parked too
    await mock.producer.send({ topic: ORDERS, messages: [{ key: null, value: ODD_VALUE }] });
  });

  it('delivers every change, parks the bad records, commits only after the sinks succeeded, follows new topics', async () => {
    const groupId = `g-${randomUUID()}`;
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let blocked = false;
    const sink = new RecordingSink(async (_batch, call) => {
      if (call === 0) {
        blocked = true;
        await gate;
      }
    });
    const source = startSource(config(groupId, { CDC_KAFKA_DLQ_TOPIC: DLQ }), sink);
    await source.start();
    expect(source.stats().topics).toEqual([HEARTBEAT, LEVELS, ORDERS]);

    await until('the first delivery', () => blocked);
    // the sink holds the first chunk and has not returned: nothing may be committed yet
    for (const topic of [ORDERS, LEVELS]) {
      for (const offset of (await committed(groupId, topic)).values()) expect(offset).toBe('-1');
    }
    release();

    await until('all changes', () => sink.positions().length >= first.positions.size);
    expect(new Set(sink.positions())).toEqual(first.positions);
    expect(sink.positions()).toHaveLength(first.positions.size); // no duplicates in a clean run
    for (const batch of sink.batches) expect(batch.position).toBe(batch.events.at(-1)!.position);

    // once everything is delivered, the committed offsets reach the end of every partition
    for (const topic of [ORDERS, LEVELS]) {
      const high = await highWatermarks(topic);
      await until(`${topic} commits`, async () => {
        const done = await committed(groupId, topic);
        return [...high].every(([p, h]) => h === '0' || done.get(p) === h);
      });
    }
    const stats = source.stats();
    expect(stats.deadLettered).toBe(2);
    expect(stats.skipped.tombstone).toBe(1);
    expect(stats.skipped.heartbeat).toBe(1);
    expect(stats.lastHeartbeatAt).not.toBeNull();

    // the parked records are in the DLQ, unchanged, with their coordinates and the reason
    const parked = await readTopicWithKcat(DLQ);
    expect(parked).toHaveLength(2);
    const headersOf = (entry: (typeof parked)[number]) =>
      Object.fromEntries((entry.headers ?? []).flatMap((v, i, all) => (i % 2 === 0 ? [[v, all[i + 1]]] : [])));
    const unknownOp = parked.find((p) => p.payload === '{"op":"x","source":{}}');
    expect(headersOf(unknownOp!)).toMatchObject({
      [DLQ_HEADERS.topic]: LEVELS,
      [DLQ_HEADERS.reason]: 'unknown op "x"',
      [DLQ_HEADERS.code]: 'cdc.debezium.undecodable',
      trace: 'abc',
    });
    // the decoder's TypeError did not stop the source: the record was parked like any undecodable one
    const odd = parked.find((p) => p.payload === ODD_VALUE);
    expect(headersOf(odd!)).toMatchObject({
      [DLQ_HEADERS.topic]: ORDERS,
      [DLQ_HEADERS.code]: 'cdc.debezium.undecodable',
    });
    expect(headersOf(odd!)[DLQ_HEADERS.reason]).toMatch(/^unexpected TypeError: /);

    // a table's topic appears on its first change: the source re-subscribes and reads it from the start
    const table = `late_${randomUUID().slice(0, 8)}`;
    const topic = `commerce.public.${table}`;
    const late = orderRecord(table, 999);
    const lateEvent = createDebeziumDecoder().decode({ topic, partition: 0, offset: '0', ...late });
    if (lateEvent.kind !== 'change') throw new Error('late record does not decode');
    expected.add(lateEvent.event.position);
    await mock.producer.send({ topic, messages: [late] });
    await source.refreshTopics();
    expect(source.stats().topics).toContain(topic);
    await until('the late topic’s change', () =>
      sink.batches.some((b) => b.events.some((e) => e.table === `public.${table}`)),
    );
    await source.stop();
  });

  it('a sink that fails for good stops the source uncommitted; a restart redelivers, nothing lost', async () => {
    const groupId = `g-${randomUUID()}`;
    let fatalError: unknown;
    const crashing = new RecordingSink(async (_batch, call) => {
      if (call === 3) throw new AppError('internal', 'test.sink_broken', 'sink is broken');
    });
    const crashed = startSource(config(groupId), crashing, { onFatal: (e) => (fatalError = e) });
    await crashed.start();
    await until('the source to stop itself', () => fatalError !== undefined);
    expect((fatalError as AppError).code).toBe('test.sink_broken');
    const beforeCrash = crashing.positions();
    expect(crashing.batches).toHaveLength(3); // three deliveries succeeded, the fourth threw

    const resumed = new RecordingSink();
    const restarted = startSource(config(groupId), resumed);
    await restarted.start();
    const all = () => new Set([...beforeCrash, ...resumed.positions()]);
    await until('every change after the restart', () => all().size >= expected.size);
    expect(all()).toEqual(expected);
    // each successful delivery was committed before the next began: none of it comes again,
    // while the chunk the broken sink refused does
    expect(resumed.positions().filter((p) => beforeCrash.includes(p))).toEqual([]);
    expect(resumed.positions()).toHaveLength(expected.size - beforeCrash.length);
    await restarted.stop();
  });

  it('stopping mid-delivery leaves that chunk uncommitted; the next run delivers it', async () => {
    const groupId = `g-${randomUUID()}`;
    let inFlight = false;
    const stuck = new RecordingSink(async () => {
      inFlight = true;
      await new Promise(() => undefined); // ignores the abort signal: the process "dies" holding the batch
    });
    const dying = startSource(config(groupId), stuck, { stopGraceMs: 100 });
    await dying.start();
    await until('a delivery in flight', () => inFlight);
    await dying.stop();
    // (other partitions, e.g. the heartbeat topic's, may have moved on: nothing of theirs was held)
    for (const topic of [ORDERS, LEVELS]) {
      for (const offset of (await committed(groupId, topic)).values()) expect(offset).toBe('-1');
    }

    const sink = new RecordingSink();
    const next = startSource(config(groupId), sink);
    await next.start();
    await until('all changes on the next run', () => new Set(sink.positions()).size >= expected.size);
    expect(new Set(sink.positions())).toEqual(expected);
    await next.stop();
  });

  it('a rebalance during delivery: the in-flight chunk is not committed and nothing is lost', async () => {
    const groupId = `g-${randomUUID()}`;
    let abortedDuringDelivery = false;
    let holding = false;
    let held: string[] = [];
    const slow = new RecordingSink(async (batch, call, ctx) => {
      if (call > 0) return;
      holding = true;
      held = batch.events.map((e) => e.position);
      // hold the first chunk until the source gives up on it
      await new Promise<void>((_resolve, reject) => {
        ctx.signal.addEventListener('abort', () => {
          abortedDuringDelivery = true;
          reject(ctx.signal.reason);
        });
      });
    });
    const a = startSource(config(groupId), slow);
    await a.start();
    await until('member A holding a chunk', () => holding);

    const other = new RecordingSink();
    const b = startSource(config(groupId), other);
    await b.start(); // joining forces a rebalance; A learns it from a heartbeat while its sink works
    await until('A to abandon its chunk', () => abortedDuringDelivery);

    const all = () => new Set([...slow.positions(), ...other.positions()]);
    await until('every change across both members', () => all().size >= expected.size, 20_000);
    expect(all()).toEqual(expected);
    // the abandoned chunk was not committed: it was delivered again, by whichever member owns it now
    expect(held.length).toBeGreaterThan(0);
    for (const position of held) expect(all().has(position)).toBe(true);
    await Promise.all([a.stop(), b.stop()]);
  });
});
