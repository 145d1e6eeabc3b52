import type { ChangeEvent, ChangeSink, Logger } from '@commerce/common';
import {
  type Admin,
  type Consumer,
  type EachBatchPayload,
  Kafka,
  type KafkaMessage,
  logLevel,
  type Producer,
} from 'kafkajs';
import { deliverToSinks } from '../deliver.ts';
import type { ChangeSourceRunner } from '../source.ts';
import { type DebeziumSourceConfig, decoderOptions, topicMatcher } from './config.ts';
import { createDeadLetterQueue, type DeadLetterQueue } from './dead-letter.ts';
import { createDebeziumDecoder, type DebeziumDecoder, type KafkaRecord, type SkipReason } from './decoder.ts';
import { DebeziumDecodeError } from './errors.ts';

/**
 * The production change source: a kafkajs consumer group on the Debezium topics.
 *
 * Per fetched partition batch, in chunks of CDC_KAFKA_MAX_BATCH_RECORDS: decode every record
 * (skips are counted, undecodable records parked in the dead-letter queue), hand the chunk's
 * change events to the sinks with deliverToSinks, and only then resolve and commit the offset
 * after the chunk. Nothing is committed for a chunk whose delivery did not finish: not when the
 * source stops mid-delivery, not when a heartbeat shows the group is rebalancing (the partition
 * may belong to someone else now), not when a sink fails for good (the source then stops itself).
 * A redelivered chunk decodes to the same positions, so idempotent sinks absorb the repeat.
 *
 * Ordering is per partition (Debezium keys records by primary key); one transaction's changes
 * span several topics, so batches here are not whole transactions (see README).
 *
 * kafkajs resolves a subscription once, and Debezium creates a table's topic on its first change:
 * the source lists topics every CDC_KAFKA_TOPIC_REFRESH_MS and re-subscribes when new ones match.
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
}

export interface DebeziumKafkaSource extends ChangeSourceRunner {
  stats(): DebeziumSourceStats;
  /** lists topics now and re-subscribes if new ones match (also runs on a timer) */
  refreshTopics(): Promise<void>;
}

export function createDebeziumKafkaSource(
  config: DebeziumSourceConfig,
  deps: DebeziumKafkaSourceDeps,
): DebeziumKafkaSource {
  const logger = deps.logger;
  const kafka =
    deps.kafka ??
    new Kafka({ clientId: config.CDC_KAFKA_CLIENT_ID, brokers: config.CDC_KAFKA_BROKERS, logLevel: logLevel.WARN });
  const decoder = deps.decoder ?? createDebeziumDecoder(decoderOptions(config));
  const matches = topicMatcher(config);
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
  };

  let admin: Admin | null = null;
  let producer: Producer | null = null;
  let deadLetters: DeadLetterQueue | null = null;
  let consumer: Consumer | null = null;
  let refreshTimer: NodeJS.Timeout | undefined;
  let stopping = false;
  let fatal: { error: unknown } | null = null;
  // topic refreshes and stop() touch the consumer one at a time
  let serial: Promise<unknown> = Promise.resolve();
  const serialize = <T>(task: () => Promise<T>): Promise<T> => {
    const next = serial.then(task, task);
    serial = next.catch(() => undefined);
    return next;
  };
  // what the group gave us at the last join: a chunk is committed only if its partition is still ours
  let generation = 0;
  let assignment: Record<string, number[]> = {};

  const owns = (topic: string, partition: number, sinceGeneration: number) =>
    generation === sinceGeneration || (assignment[topic]?.includes(partition) ?? false);

  const toRecord = (topic: string, partition: number, message: KafkaMessage): KafkaRecord => ({
    topic,
    partition,
    offset: message.offset,
    key: message.key === null ? null : message.key.toString('utf8'),
    value: message.value === null ? null : message.value.toString('utf8'),
  });

  const failFatal = (error: unknown, pause: () => void) => {
    if (fatal) return;
    fatal = { error };
    pause();
    logger.error({ err: error }, 'a sink failed for good: stopping the Debezium source without committing');
    setImmediate(() => {
      void stop().finally(() => deps.onFatal?.(error));
    });
  };

  /** One consumer run's batch handler; `run` is aborted when that consumer is stopped past its grace. */
  const batchHandler =
    (run: AbortSignal) =>
    async (payload: EachBatchPayload): Promise<void> => {
      const { batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary, pause } = payload;
      const { topic, partition } = batch;
      const joinedAt = generation;
      for (let start = 0; start < batch.messages.length; start += config.CDC_KAFKA_MAX_BATCH_RECORDS) {
        if (fatal) {
          pause();
          return;
        }
        if (!isRunning() || isStale() || run.aborted) return;
        const chunk = batch.messages.slice(start, start + config.CDC_KAFKA_MAX_BATCH_RECORDS);
        const events: ChangeEvent[] = [];
        for (const message of chunk) {
          const record = toRecord(topic, partition, message);
          stats.records++;
          try {
            const result = decoder.decode(record);
            if (result.kind === 'change') events.push(result.event);
            else {
              stats.skipped[result.reason]++;
              if (result.reason === 'heartbeat') stats.lastHeartbeatAt = Date.now();
            }
          } catch (error) {
            if (!(error instanceof DebeziumDecodeError)) {
              // a bug, not bad data: retrying the batch would fail the same way forever
              failFatal(error, pause);
              return;
            }
            await deadLetters!.park(record, message, error);
            stats.deadLettered++;
          }
        }

        if (events.length > 0) {
          // keep our group membership alive while sinks work (kafkajs only heartbeats between batches);
          // a failed heartbeat means a rebalance: abandon this chunk uncommitted and let kafkajs rejoin
          const chunkAbort = new AbortController();
          const onStop = () => chunkAbort.abort(run.reason);
          run.addEventListener('abort', onStop, { once: true });
          let heartbeatError: unknown = null;
          const beat = setInterval(() => {
            heartbeat().catch((error: unknown) => {
              heartbeatError ??= error;
              chunkAbort.abort(error);
            });
          }, config.CDC_KAFKA_HEARTBEAT_INTERVAL_MS);
          try {
            // a sink that ignores the signal must not keep stop() waiting: stop waiting for it instead
            await Promise.race([
              deliverToSinks({ events, position: events.at(-1)!.position }, deps.sinks, {
                signal: chunkAbort.signal,
                logger,
              }),
              rejectOnAbort(chunkAbort.signal),
            ]);
          } catch (error) {
            if (heartbeatError) throw heartbeatError;
            if (chunkAbort.signal.aborted) return; // stopping: the chunk stays uncommitted
            failFatal(error, pause);
            return;
          } finally {
            clearInterval(beat);
            run.removeEventListener('abort', onStop);
          }
          if (heartbeatError) throw heartbeatError;
          stats.changes += events.length;
          stats.batches++;
        }

        if (isStale() || !owns(topic, partition, joinedAt)) {
          logger.warn(
            { topic, partition },
            'partition revoked during delivery: not committing, the new owner redelivers',
          );
          return;
        }
        const last = chunk.at(-1)!.offset;
        resolveOffset(last);
        await commitOffsetsIfNecessary({
          topics: [{ topic, partitions: [{ partition, offset: (BigInt(last) + 1n).toString() }] }],
        });
        stats.commits++;
        await heartbeat();
      }
    };

  let runAbort = new AbortController();

  const startConsumer = async (topics: string[]) => {
    runAbort = new AbortController();
    const next = kafka.consumer({
      groupId: config.CDC_KAFKA_GROUP_ID,
      sessionTimeout: config.CDC_KAFKA_SESSION_TIMEOUT_MS,
      heartbeatInterval: config.CDC_KAFKA_HEARTBEAT_INTERVAL_MS,
      maxWaitTimeInMs: config.CDC_KAFKA_MAX_WAIT_MS,
      allowAutoTopicCreation: false,
      // after a fatal sink error or during stop(), a crash must not restart consumption
      retry: { restartOnFailure: async () => !fatal && !stopping },
    });
    next.on(next.events.GROUP_JOIN, (event) => {
      generation++;
      assignment = event.payload.memberAssignment;
      logger.info({ generation, assignment }, 'joined the consumer group');
    });
    next.on(next.events.CRASH, (event) => {
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

  const refreshTopics = () =>
    serialize(async () => {
      if (stopping || fatal || !admin) return;
      const wanted = (await admin.listTopics()).filter(matches).sort();
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
    },
    stop,
    refreshTopics,
    stats: () => structuredClone(stats),
  };
}

function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}
