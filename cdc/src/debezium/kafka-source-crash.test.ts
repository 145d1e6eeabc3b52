import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger } from '@commerce/common';
import { afterAll, describe, expect, it } from 'vitest';
import { debeziumSourceConfig } from './config.ts';
import { createDebeziumKafkaSource } from './kafka-source.ts';
import { committedOffsets, RecordingSink, until } from './testing/kafka-test-helpers.ts';
import { useMockKafka } from './testing/mock-kafka.ts';
import { orderTransaction } from './testing/transaction-records.ts';

/**
 * A real crash of the kafkajs consumer: the Debezium source runs in a child process
 * (testing/crash-consumer.ts) whose sink writes what it received to a file and then hangs inside a
 * batch; the child is killed with SIGKILL while that batch is received but uncommitted. A new
 * consumer in the same group must then get everything (at least once): nothing lost, and what
 * comes twice is exactly the batch the dead process had received but not committed.
 */
const logger = createLogger('debezium-crash-test', 'silent');
const CONSUMER = fileURLToPath(new URL('./testing/crash-consumer.ts', import.meta.url));
const DATA_TOPICS = ['commerce.public.orders', 'commerce.public.order_lines'];
const TRANSACTIONS = 12; // 30 changes
const BLOCK_AFTER = 10;

const tmp = mkdtempSync(join(tmpdir(), 'cdc-kafka-crash-'));
// vitest runs afterAll hooks in reverse order of registration: children are killed first, then the
// mock Kafka is torn down, then the temp dir goes
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const mock = useMockKafka();
const children = new Set<ChildProcess>();
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

interface Placed {
  topic: string;
  partition: number;
  offset: bigint;
}

/**
 * Order transactions (an order and its lines, BEGIN and END; ids beyond 2^53) written in commit
 * order, as Debezium writes them, one send each so every change's offset is known: position → where
 * it sits.
 */
async function produceTransactions(): Promise<Map<string, Placed>> {
  const placed = new Map<string, Placed>();
  for (let i = 0; i < TRANSACTIONS; i++) {
    const tx = orderTransaction('commerce', 900 + i, 1 + (i % 2));
    const changes = [tx.order, ...tx.lines];
    for (const record of [tx.begin, ...changes, tx.end]) {
      const [meta] = await mock.producer.send({
        topic: record.topic,
        messages: [{ key: record.key, value: record.value, partition: record.partition }],
      });
      const at = changes.indexOf(record);
      if (at >= 0) {
        placed.set(tx.positions[at]!, {
          topic: record.topic,
          partition: record.partition,
          offset: BigInt(meta!.baseOffset!),
        });
      }
    }
  }
  return placed;
}

const env = (groupId: string): Record<string, string> => ({
  ...mock.sourceEnv(groupId),
  CDC_KAFKA_MAX_BATCH_RECORDS: '4',
});

function startConsumerProcess(groupId: string, receivedFile: string): { child: ChildProcess; stderr: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', CONSUMER], {
    env: {
      ...process.env,
      ...env(groupId),
      CRASH_RECEIVED_FILE: receivedFile,
      CRASH_BLOCK_AFTER: String(BLOCK_AFTER),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  return { child, stderr: () => stderr };
}

function readReceived(file: string): { positions: string[]; blocked: boolean }[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

describe('Debezium Kafka source killed with SIGKILL before committing', () => {
  it('a new consumer in the group gets everything; what comes twice is exactly the uncommitted batch', async () => {
    const placed = await produceTransactions();
    const groupId = `g-${randomUUID()}`;
    const file = join(tmp, 'received.jsonl');
    const { child, stderr } = startConsumerProcess(groupId, file);
    await until(
      'the child to receive a batch it will not return from',
      () => {
        if (child.exitCode !== null) throw new Error(`the consumer process exited: ${stderr()}`);
        return readReceived(file).some((b) => b.blocked);
      },
      30_000,
    );

    // at the broker, before the kill: every batch the child returned from is committed, the one it
    // holds is not (nor anything it never received)
    const batches = readReceived(file);
    const held = batches.at(-1)!;
    expect(held.blocked).toBe(true);
    expect(held.positions.length).toBeGreaterThan(0);
    const returned = batches.slice(0, -1).flatMap((b) => b.positions);
    expect(returned.length).toBeGreaterThan(0);
    const committed = new Map<string, bigint>();
    for (const topic of DATA_TOPICS) {
      for (const [partition, offset] of await committedOffsets(mock.admin, groupId, topic)) {
        committed.set(`${topic}/${partition}`, BigInt(offset)); // '-1': nothing committed
      }
    }
    const isCommitted = (position: string) => {
      const at = placed.get(position)!;
      return at.offset < (committed.get(`${at.topic}/${at.partition}`) ?? -1n);
    };
    for (const position of returned) expect(isCommitted(position), `${position} committed`).toBe(true);
    for (const position of held.positions) expect(isCommitted(position), `${position} uncommitted`).toBe(false);
    const received = new Set([...returned, ...held.positions]);
    for (const position of placed.keys()) if (!received.has(position)) expect(isCommitted(position)).toBe(false);

    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(child.signalCode).toBe('SIGKILL');

    const sink = new RecordingSink();
    const next = mock.track(
      createDebeziumKafkaSource(debeziumSourceConfig.parse(env(groupId)), { sinks: [sink], logger, kafka: mock.kafka }),
    );
    await next.start();
    const all = () => new Set([...received, ...sink.positions()]);
    await until('every change after the crash', () => all().size >= placed.size, 30_000);
    await until('the new consumer to catch up', () => new Set(sink.positions()).size >= placed.size - returned.length);

    // nothing lost
    expect(all()).toEqual(new Set(placed.keys()));
    // at least once: the held batch came twice, nothing committed came again, nothing twice in one run
    const twice = sink.positions().filter((p) => received.has(p));
    expect(new Set(twice)).toEqual(new Set(held.positions));
    expect(sink.positions().filter((p) => returned.includes(p))).toEqual([]);
    expect(sink.positions()).toHaveLength(new Set(sink.positions()).size);
    expect(sink.positions()).toHaveLength(placed.size - returned.length);
    // and whole: each transaction in one delivery, none given up on as incomplete
    for (const txId of new Set(sink.batches.flatMap((b) => b.events.map((e) => e.txId)))) {
      expect(sink.batches.filter((b) => b.events.some((e) => e.txId === txId))).toHaveLength(1);
    }
    expect(next.stats().transactions).toMatchObject({ max_wait: 0, max_buffered: 0, late: 0 });
    await next.stop();
  });
});
