import type { ChangeSink, Logger } from '@commerce/common';
import { type Admin, type Consumer, Kafka, logLevel, PartitionAssigners, type Producer } from 'kafkajs';
import { Registry } from 'prom-client';
import type { CdcMetrics } from '../metrics.ts';
import type { ChangeSourceRunner } from '../source.ts';
import { createBatchPump, type PumpCounters } from './batch-pump.ts';
import { type DebeziumSourceConfig, decoderOptions, topicMatcher, transactionTopic } from './config.ts';
import { createDeadLetterQueue, type DeadLetterQueue } from './dead-letter.ts';
import { createDebeziumDecoder, type DebeziumDecoder } from './decoder.ts';
import { createDebeziumMetrics } from './metrics.ts';
import { createRecordFeed, type FeedCounters } from './record-feed.ts';
import { singleActiveAssigner } from './single-active-assigner.ts';
import { createUnitDelivery } from './unit-delivery.ts';

/**
 * The production change source: a kafkajs consumer group on the Debezium topics, delivering whole
 * transactions like the pgoutput source.
 *
 * Every fetched record is decoded and fed to the transaction assembler (batch-pump.ts,
 * tx-assembler.ts), which holds a transaction's records, spread over one topic per table, until its
 * END record on `<prefix>.transaction` and all its records are in. What is whole and whose turn has come goes to
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

/** `assembling`: whether the transaction topic is consumed, so transactions are put back together. */
export interface DebeziumSourceStats extends FeedCounters, PumpCounters {
  consumerStarts: number;
  topics: string[];
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
  let assignment: Record<string, number[]> = {};
  let runAbort = new AbortController();
  const pump = createBatchPump({
    config,
    logger,
    now,
    feed: createRecordFeed({ decoder, deadLetters: () => deadLetters!, counters: stats, metrics, logger }),
    deliver: createUnitDelivery({ sinks: deps.sinks, logger, metrics, shared: deps.metrics }),
    metrics,
    counters: stats,
    isFatal: () => fatal !== null,
    failFatal,
  });

  function failFatal(error: unknown, pause?: () => void) {
    if (fatal) return;
    fatal = { error };
    pause?.();
    logger.error({ err: error }, 'a sink failed for good: stopping the Debezium source without committing');
    setImmediate(() => {
      void stop().finally(() => deps.onFatal?.(error));
    });
  }

  /** Applies the wait bound while no records arrive (kafkajs calls no handler on empty fetches). */
  const enforceBounds = () => {
    const current = consumer;
    if (!current || !joined || stopping) return;
    pump.enforceBounds(runAbort.signal, async (offsets) => {
      await current.commitOffsets(offsets);
    });
  };

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
      assignment = event.payload.memberAssignment;
      const generation = pump.joined();
      joined = true;
      logger.info({ generation, assignment, assembling: stats.assembling }, 'joined the consumer group');
    });
    next.on(next.events.REBALANCING, () => {
      joined = false;
      pump.rebalancing();
    });
    next.on(next.events.CRASH, (event) => {
      joined = false;
      if (event.payload.restart) deps.metrics?.sourceRestarts.inc({ source: 'debezium' });
      logger.error({ err: event.payload.error, restart: event.payload.restart }, 'Kafka consumer crashed');
    });
    await next.connect();
    await next.subscribe({ topics, fromBeginning: true });
    await next.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: pump.eachBatch(runAbort.signal) });
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
      // a delivery the bound timer started runs outside kafkajs: wait for it too (the grace aborts it)
      await pump.settled();
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
