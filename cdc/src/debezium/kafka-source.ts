import type { ChangeSink, Logger } from '@commerce/common';
import {
  type Admin,
  type Consumer,
  type EachBatchPayload,
  Kafka,
  type KafkaMessage,
  logLevel,
  PartitionAssigners,
  type Producer,
} from 'kafkajs';
import { Registry } from 'prom-client';
import type { CdcMetrics } from '../metrics.ts';
import type { ChangeSourceRunner } from '../source.ts';
import {
  type DebeziumSourceConfig,
  dataCollectionTopic,
  decoderOptions,
  topicMatcher,
  transactionTopic,
} from './config.ts';
import { createDeadLetterQueue, type DeadLetterQueue } from './dead-letter.ts';
import { createDebeziumDecoder, type DebeziumDecoder, type KafkaRecord, type SkipReason } from './decoder.ts';
import { createDebeziumMetrics, type TransactionOutcome } from './metrics.ts';
import { createRecordFeed } from './record-feed.ts';
import { singleActiveAssigner } from './single-active-assigner.ts';
import { type AssemblerInput, KafkaTransactionAssembler, type RecordAt } from './tx-assembler.ts';
import { createUnitDelivery } from './unit-delivery.ts';

/**
 * The production change source: a kafkajs consumer group on the Debezium topics, delivering whole
 * transactions like the pgoutput source.
 *
 * Every fetched record is decoded and fed to the transaction assembler (tx-assembler.ts), which
 * holds a transaction's records, spread over one topic per table, until its END record on
 * `<prefix>.transaction` and all its records are in. What is whole and whose turn has come goes to
 * the sinks with deliverToSinks (whole transactions, up to CDC_KAFKA_MAX_BATCH_RECORDS changes per
 * call); only then are offsets committed, each partition up to its first record that is not
 * delivered yet. Records without transaction metadata go out one by one, as before.
 *
 * Nothing is committed for a delivery that did not finish: not when the source stops mid-delivery,
 * not when a heartbeat shows the group is rebalancing, not when a sink fails for good (the source
 * then stops itself). kafkajs re-reads every assigned partition from its committed offset after a
 * rejoin, so each join starts a fresh assembler: incomplete transactions are read again in full,
 * and what was delivered but not committed decodes to the same positions, which the sinks dedupe.
 *
 * All partitions go to one member of the group (single-active-assigner.ts): a transaction can only
 * be put back together by a consumer that reads every topic. kafkajs resolves a subscription once
 * and Debezium creates a table's topic on its first change: the source lists topics every
 * CDC_KAFKA_TOPIC_REFRESH_MS and re-subscribes when new ones match.
 */
export interface DebeziumKafkaSourceDeps {
  sinks: readonly ChangeSink[];
  logger: Logger;
  /** defaults to a client for CDC_KAFKA_BROKERS */
  kafka?: Kafka;
  /** defaults to one built from the CDC_DEBEZIUM_* settings */
  decoder?: DebeziumDecoder;
  /** called once when the source stopped itself because a sink failed with a non-retriable error */
  onFatal?: (error: unknown) => void;
  /** how long stop() lets an in-flight delivery finish before aborting it (default 5 s) */
  stopGraceMs?: number;
  /** cdc's metrics: the shared series get source="debezium", the cdc_debezium_* ones join its registry */
  metrics?: CdcMetrics;
  /** clock of the transaction wait bound (tests) */
  now?: () => number;
}

export interface DebeziumSourceStats {
  records: number;
  changes: number;
  batches: number;
  commits: number;
  skipped: Record<SkipReason, number>;
  deadLettered: number;
  consumerStarts: number;
  lastHeartbeatAt: number | null;
  topics: string[];
  /** whether the transaction topic is consumed, so transactions are assembled */
  assembling: boolean;
  transactions: Record<TransactionOutcome, number>;
  bufferedRecords: number;
}

export interface DebeziumKafkaSource extends ChangeSourceRunner {
  stats(): DebeziumSourceStats;
  /** lists topics now and re-subscribes if new ones match (also runs on a timer) */
  refreshTopics(): Promise<void>;
  /** connected, and a member of the group (or waiting for the connector's first topic) */
  readonly ready: boolean;
}

export function createDebeziumKafkaSource(
  config: DebeziumSourceConfig,
  deps: DebeziumKafkaSourceDeps,
): DebeziumKafkaSource {
  const logger = deps.logger;
  const now = deps.now ?? Date.now;
  const kafka =
    deps.kafka ??
    new Kafka({ clientId: config.CDC_KAFKA_CLIENT_ID, brokers: config.CDC_KAFKA_BROKERS, logLevel: logLevel.WARN });
  const decoder = deps.decoder ?? createDebeziumDecoder(decoderOptions(config));
  const matches = topicMatcher(config);
  const txTopic = transactionTopic(config);
  const metrics = createDebeziumMetrics(deps.metrics?.registry ?? new Registry());
  const abort = new AbortController();
  const stats: DebeziumSourceStats = {
    records: 0,
    changes: 0,
    batches: 0,
    commits: 0,
    skipped: { tombstone: 0, heartbeat: 0, transaction: 0, message: 0 },
    deadLettered: 0,
    consumerStarts: 0,
    lastHeartbeatAt: null,
    topics: [],
    assembling: false,
    transactions: { complete: 0, max_wait: 0, max_buffered: 0, late: 0 },
    bufferedRecords: 0,
  };

  let admin: Admin | null = null;
  let producer: Producer | null = null;
  let deadLetters: DeadLetterQueue | null = null;
  let consumer: Consumer | null = null;
  let refreshTimer: NodeJS.Timeout | undefined;
  let boundTimer: NodeJS.Timeout | undefined;
  let started = false;
  let stopping = false;
  let joined = false;
  let fatal: { error: unknown } | null = null;
  // topic refreshes and stop() touch the consumer one at a time
  let serial: Promise<unknown> = Promise.resolve();
  const serialize = <T>(task: () => Promise<T>): Promise<T> => {
    const next = serial.then(task, task);
    serial = next.catch(() => undefined);
    return next;
  };
  // feeding the assembler and delivering from it: one at a time (batch handler and bound timer)
  let deliveryLock: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(task: () => Promise<T>): Promise<T> => {
    const next = deliveryLock.then(task, task);
    deliveryLock = next.catch(() => undefined);
    return next;
  };

  // what the group gave us at the last join; offsets are committed only within the generation they were read in
  let generation = 0;
  let assignment: Record<string, number[]> = {};
  const newAssembler = () =>
    new KafkaTransactionAssembler({
      maxBufferedRecords: config.CDC_KAFKA_TX_MAX_RECORDS,
      maxWaitMs: config.CDC_KAFKA_TX_MAX_WAIT_MS,
      now,
      consumes: (collection) => matches(dataCollectionTopic(config, collection)),
    });
  let assembler = newAssembler();
  // deliveries in flight: a rebalance aborts them (the next owner reads their records again)
  const inFlight = new Set<AbortController>();
  const highWatermarks = new Map<string, bigint>();

  const feed = createRecordFeed({ decoder, deadLetters: () => deadLetters!, counters: stats, metrics, logger });
  const deliverUnits = createUnitDelivery({ sinks: deps.sinks, logger, metrics, shared: deps.metrics });

  const toRecord = (topic: string, partition: number, message: KafkaMessage): KafkaRecord => ({
    topic,
    partition,
    offset: message.offset,
    key: message.key === null ? null : message.key.toString('utf8'),
    value: message.value === null ? null : message.value.toString('utf8'),
  });

  const failFatal = (error: unknown, pause?: () => void) => {
    if (fatal) return;
    fatal = { error };
    pause?.();
    logger.error({ err: error }, 'a sink failed for good: stopping the Debezium source without committing');
    setImmediate(() => {
      void stop().finally(() => deps.onFatal?.(error));
    });
  };

  const updateLag = (topic: string, partition: number, committedOffset: bigint) => {
    const high = highWatermarks.get(`${topic}/${partition}`);
    if (high !== undefined) {
      const lag = high > committedOffset ? high - committedOffset : 0n;
      metrics.consumerLag.set({ topic, partition: String(partition) }, Number(lag));
    }
  };

  const updateGauges = (asm: KafkaTransactionAssembler) => {
    const s = asm.stats();
    stats.bufferedRecords = s.bufferedRecords;
    metrics.bufferedRecords.set(s.bufferedRecords);
    metrics.bufferedTransactions.set(s.bufferedTransactions);
    metrics.oldestBufferedSeconds.set(s.oldestAgeMs / 1000);
  };

  type Commit = (offsets: RecordAt[]) => Promise<void>;

  const commitFreed = async (asm: KafkaTransactionAssembler, joinedAt: number, commit: Commit) => {
    const offsets = asm.pendingCommits();
    if (offsets.length === 0) return;
    if (generation !== joinedAt) {
      logger.warn({ offsets }, 'the group rebalanced during delivery: not committing, the partitions are read again');
      return;
    }
    await commit(offsets);
    asm.committed(offsets);
    stats.commits++;
    metrics.commits.inc();
    for (const o of offsets) updateLag(o.topic, o.partition, BigInt(o.offset));
  };

  /** Delivers whatever the assembler has ready, committing after each delivery. Runs under `exclusive`. */
  const drain = async (
    asm: KafkaTransactionAssembler,
    joinedAt: number,
    signal: AbortSignal,
    commit: Commit,
    pause?: () => void,
  ): Promise<void> => {
    for (;;) {
      if (fatal || signal.aborted || generation !== joinedAt) return;
      const units = asm.take(config.CDC_KAFKA_MAX_BATCH_RECORDS);
      updateGauges(asm);
      if (units.length === 0) break;
      const outcome = await deliverUnits(units, signal);
      if (outcome === 'aborted') return; // stays uncommitted
      if (outcome !== 'delivered') {
        failFatal(outcome.failed, pause);
        return;
      }
      asm.delivered(units);
      const events = units.reduce((n, u) => n + u.events.length, 0);
      if (events > 0) {
        stats.changes += events;
        stats.batches++;
      }
      for (const unit of units) {
        if (unit.incomplete) stats.transactions[unit.incomplete.reason]++;
        else if (unit.key !== null) stats.transactions.complete++;
      }
      await commitFreed(asm, joinedAt, commit);
    }
    // tombstones, heartbeats and parked records free offsets without any delivery
    await commitFreed(asm, joinedAt, commit);
  };

  const withDelivery = async <T>(run: AbortSignal, task: (signal: AbortSignal) => Promise<T>): Promise<T> => {
    const delivery = new AbortController();
    const onStop = () => delivery.abort(run.reason);
    if (run.aborted) delivery.abort(run.reason);
    else run.addEventListener('abort', onStop, { once: true });
    inFlight.add(delivery);
    try {
      return await task(delivery.signal);
    } finally {
      inFlight.delete(delivery);
      run.removeEventListener('abort', onStop);
    }
  };

  /** One consumer run's batch handler; `run` is aborted when that consumer is stopped past its grace. */
  const batchHandler =
    (run: AbortSignal) =>
    async (payload: EachBatchPayload): Promise<void> => {
      const { batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary, pause } = payload;
      const { topic, partition } = batch;
      const joinedAt = generation;
      const asm = assembler;
      const assembling = stats.assembling;
      let heartbeatError: unknown = null;
      await withDelivery(run, async (signal) => {
        // keep our group membership alive while we wait for the lock and while sinks work (kafkajs only
        // heartbeats between batches); a failed heartbeat means a rebalance: abandon the delivery uncommitted
        const beat = setInterval(() => {
          heartbeat().catch((error: unknown) => {
            heartbeatError ??= error;
            for (const delivery of inFlight) delivery.abort(error);
          });
        }, config.CDC_KAFKA_HEARTBEAT_INTERVAL_MS);
        try {
          await exclusive(async () => {
            if (fatal) {
              pause();
              return;
            }
            if (!isRunning() || isStale() || signal.aborted || generation !== joinedAt) return;
            for (const message of batch.messages) {
              if (fatal || !isRunning() || signal.aborted) return;
              const at = { topic, partition, offset: message.offset };
              if (asm.seen(at)) continue;
              let input: AssemblerInput;
              try {
                input = await feed(toRecord(topic, partition, message), message, assembling);
              } catch (error) {
                // a bug, not bad data: reading the batch again would fail the same way forever
                failFatal(error, pause);
                return;
              }
              asm.push(at, input);
            }
            const last = batch.messages.at(-1);
            if (last) resolveOffset(last.offset); // fetch on; commits follow the assembler's frontier
            highWatermarks.set(`${topic}/${partition}`, BigInt(batch.highWatermark));
            await drain(
              asm,
              joinedAt,
              signal,
              async (offsets) => {
                await commitOffsetsIfNecessary({ topics: byTopic(offsets) });
              },
              pause,
            );
            const frontier = asm.frontier(topic, partition);
            if (frontier !== null) updateLag(topic, partition, frontier);
          });
        } finally {
          clearInterval(beat);
        }
      });
      if (heartbeatError) throw heartbeatError;
    };

  /** Applies the wait bound while no records arrive (kafkajs calls no handler on empty fetches). */
  const enforceBounds = () => {
    const current = consumer;
    if (!current || !joined || stopping || fatal || assembler.stats().bufferedRecords === 0) return;
    const asm = assembler;
    const joinedAt = generation;
    const run = runAbort.signal;
    void exclusive(() =>
      withDelivery(run, (signal) =>
        drain(asm, joinedAt, signal, async (offsets) => {
          await current.commitOffsets(offsets);
        }),
      ),
    ).catch((error: unknown) => logger.warn({ err: error }, 'delivering overdue transactions failed'));
  };

  let runAbort = new AbortController();

  const startConsumer = async (topics: string[]) => {
    runAbort = new AbortController();
    stats.assembling = topics.includes(txTopic);
    const next = kafka.consumer({
      groupId: config.CDC_KAFKA_GROUP_ID,
      sessionTimeout: config.CDC_KAFKA_SESSION_TIMEOUT_MS,
      heartbeatInterval: config.CDC_KAFKA_HEARTBEAT_INTERVAL_MS,
      maxWaitTimeInMs: config.CDC_KAFKA_MAX_WAIT_MS,
      allowAutoTopicCreation: false,
      partitionAssigners: [
        singleActiveAssigner(() => Object.values(assignment).some((p) => p.length > 0)),
        PartitionAssigners.roundRobin,
      ],
      // after a fatal sink error or during stop(), a crash must not restart consumption
      retry: { restartOnFailure: async () => !fatal && !stopping },
    });
    next.on(next.events.GROUP_JOIN, (event) => {
      generation++;
      assignment = event.payload.memberAssignment;
      // kafkajs reads every assigned partition again from its committed offset: start over
      assembler = newAssembler();
      for (const delivery of inFlight) delivery.abort(new Error('the group rebalanced'));
      highWatermarks.clear();
      metrics.consumerLag.reset();
      joined = true;
      logger.info({ generation, assignment, assembling: stats.assembling }, 'joined the consumer group');
    });
    next.on(next.events.REBALANCING, () => {
      joined = false;
      for (const delivery of inFlight) delivery.abort(new Error('the group is rebalancing'));
    });
    next.on(next.events.CRASH, (event) => {
      joined = false;
      if (event.payload.restart) deps.metrics?.sourceRestarts.inc({ source: 'debezium' });
      logger.error({ err: event.payload.error, restart: event.payload.restart }, 'Kafka consumer crashed');
    });
    await next.connect();
    await next.subscribe({ topics, fromBeginning: true });
    await next.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: batchHandler(runAbort.signal) });
    consumer = next;
    stats.consumerStarts++;
  };

  const stopConsumer = async () => {
    const current = consumer;
    consumer = null;
    joined = false;
    if (!current) return;
    // let an in-flight delivery finish (it then commits); abort it if it takes longer than the grace
    const run = runAbort;
    const timer = setTimeout(() => run.abort(new Error('source stopping')), deps.stopGraceMs ?? 5_000);
    try {
      await current.disconnect();
    } finally {
      clearTimeout(timer);
    }
  };

  let listedTopics = false;
  const refreshTopics = () =>
    serialize(async () => {
      if (stopping || fatal || !admin) return;
      const wanted = (await admin.listTopics()).filter(matches).sort();
      listedTopics = true;
      if (wanted.length === stats.topics.length && wanted.every((t, i) => t === stats.topics[i])) return;
      logger.info({ topics: wanted }, 'Debezium topics changed: (re)subscribing');
      await stopConsumer();
      stats.topics = wanted;
      if (wanted.length > 0) await startConsumer(wanted);
      else logger.warn('no Debezium topic matches yet; waiting for the connector to create them');
    });

  async function stop(): Promise<void> {
    if (stopping) return serial.then(() => undefined);
    stopping = true;
    clearInterval(refreshTimer);
    clearInterval(boundTimer);
    await serialize(async () => {
      await stopConsumer();
      abort.abort(new Error('source stopped'));
      await producer?.disconnect();
      await admin?.disconnect();
      producer = null;
      admin = null;
    });
  }

  return {
    async start() {
      started = true;
      admin = kafka.admin();
      await admin.connect();
      if (config.CDC_KAFKA_DLQ_TOPIC) {
        // not idempotent: a retried send may park a record twice, which is harmless for a DLQ
        producer = kafka.producer({ allowAutoTopicCreation: true });
        await producer.connect();
      }
      deadLetters = createDeadLetterQueue({
        logger,
        topic: config.CDC_KAFKA_DLQ_TOPIC,
        producer: producer ?? undefined,
        signal: abort.signal,
      });
      await refreshTopics();
      if (config.CDC_KAFKA_TOPIC_REFRESH_MS > 0) {
        refreshTimer = setInterval(() => {
          refreshTopics().catch((error: unknown) => logger.warn({ err: error }, 'listing Kafka topics failed'));
        }, config.CDC_KAFKA_TOPIC_REFRESH_MS);
        refreshTimer.unref();
      }
      boundTimer = setInterval(enforceBounds, Math.min(1_000, Math.ceil(config.CDC_KAFKA_TX_MAX_WAIT_MS / 4)));
      boundTimer.unref();
    },
    stop,
    refreshTopics,
    get ready() {
      if (!started || stopping || fatal) return false;
      return consumer === null ? listedTopics : joined;
    },
    stats: () => structuredClone(stats),
  };
}

function byTopic(
  offsets: readonly RecordAt[],
): { topic: string; partitions: { partition: number; offset: string }[] }[] {
  const topics = new Map<string, { partition: number; offset: string }[]>();
  for (const { topic, partition, offset } of offsets) {
    const list = topics.get(topic) ?? [];
    list.push({ partition, offset });
    topics.set(topic, list);
  }
  return [...topics].map(([topic, partitions]) => ({ topic, partitions }));
}
