import type { Logger } from '@commerce/common';
import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { DebeziumSourceConfig } from './config.ts';
import { dataCollectionConsumed } from './config.ts';
import type { KafkaRecord } from './decoder.ts';
import type { DebeziumMetrics, TransactionOutcome } from './metrics.ts';
import type { createRecordFeed } from './record-feed.ts';
import { type AssemblerInput, KafkaTransactionAssembler, type RecordAt } from './tx-assembler.ts';
import type { createUnitDelivery } from './unit-delivery.ts';

/** The counters the pump keeps in the source's stats. */
export interface PumpCounters {
  changes: number;
  batches: number;
  commits: number;
  assembling: boolean;
  transactions: Record<TransactionOutcome, number>;
  bufferedRecords: number;
}

export interface BatchPumpDeps {
  config: DebeziumSourceConfig;
  logger: Logger;
  now: () => number;
  feed: ReturnType<typeof createRecordFeed>;
  deliver: ReturnType<typeof createUnitDelivery>;
  metrics: DebeziumMetrics;
  counters: PumpCounters;
  isFatal: () => boolean;
  /** a sink failed for good, or a bug: the source stops without committing */
  failFatal: (error: unknown, pause?: () => void) => void;
}

export type Commit = (offsets: RecordAt[]) => Promise<void>;

/**
 * Records in, whole transactions out, offsets committed: the kafkajs batch handler and the bound
 * timer feed one transaction assembler and deliver from it, one at a time. Each group join starts
 * a fresh assembler (kafkajs reads every assigned partition again from its committed offset), and
 * a delivery begun in an older generation is neither committed nor, once a rebalance is seen,
 * waited for.
 */
export function createBatchPump(deps: BatchPumpDeps) {
  const { config, logger, metrics, counters } = deps;
  const newAssembler = () =>
    new KafkaTransactionAssembler({
      maxBufferedRecords: config.CDC_KAFKA_TX_MAX_RECORDS,
      maxWaitMs: config.CDC_KAFKA_TX_MAX_WAIT_MS,
      now: deps.now,
      consumes: dataCollectionConsumed(config),
    });
  let assembler = newAssembler();
  let generation = 0;
  // deliveries in flight: a rebalance aborts them (the next owner reads their records again)
  const inFlight = new Set<AbortController>();
  const highWatermarks = new Map<string, bigint>();
  // feeding the assembler and delivering from it: one at a time (batch handler and bound timer)
  let lock: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(task: () => Promise<T>): Promise<T> => {
    const next = lock.then(task, task);
    lock = next.catch(() => undefined);
    return next;
  };

  const updateLag = (topic: string, partition: number, committedOffset: bigint) => {
    const high = highWatermarks.get(`${topic}/${partition}`);
    if (high === undefined) return;
    const lag = high > committedOffset ? high - committedOffset : 0n;
    metrics.consumerLag.set({ topic, partition: String(partition) }, Number(lag));
  };

  const updateGauges = (asm: KafkaTransactionAssembler) => {
    const s = asm.stats();
    counters.bufferedRecords = s.bufferedRecords;
    metrics.bufferedRecords.set(s.bufferedRecords);
    metrics.bufferedTransactions.set(s.bufferedTransactions);
    metrics.oldestBufferedSeconds.set(s.oldestAgeMs / 1000);
  };

  const commitFreed = async (asm: KafkaTransactionAssembler, joinedAt: number, commit: Commit) => {
    const offsets = asm.pendingCommits();
    if (offsets.length === 0) return;
    if (generation !== joinedAt) {
      logger.warn({ offsets }, 'the group rebalanced during delivery: not committing, the partitions are read again');
      return;
    }
    await commit(offsets);
    asm.committed(offsets);
    counters.commits++;
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
      if (deps.isFatal() || signal.aborted || generation !== joinedAt) return;
      const units = asm.take(config.CDC_KAFKA_MAX_BATCH_RECORDS);
      updateGauges(asm);
      if (units.length === 0) break;
      const outcome = await deps.deliver(units, signal);
      if (outcome === 'aborted') return; // stays uncommitted
      if (outcome !== 'delivered') {
        deps.failFatal(outcome.failed, pause);
        return;
      }
      asm.delivered(units);
      const events = units.reduce((n, u) => n + u.events.length, 0);
      if (events > 0) {
        counters.changes += events;
        counters.batches++;
      }
      for (const unit of units) {
        if (unit.incomplete) counters.transactions[unit.incomplete.reason]++;
        else if (unit.key !== null) counters.transactions.complete++;
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

  const abortInFlight = (reason: unknown) => {
    for (const delivery of inFlight) delivery.abort(reason);
  };

  return {
    /** kafkajs eachBatch of one consumer run; `run` is aborted when that consumer is stopped past its grace */
    eachBatch:
      (run: AbortSignal) =>
      async (payload: EachBatchPayload): Promise<void> => {
        const { batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary, pause } = payload;
        const { topic, partition } = batch;
        const joinedAt = generation;
        const asm = assembler;
        const assembling = counters.assembling;
        let heartbeatError: unknown = null;
        await withDelivery(run, async (signal) => {
          // keep our membership alive while waiting for the lock and while sinks work (kafkajs only heartbeats
          // between batches); a failed heartbeat means a rebalance: abandon the delivery uncommitted
          const beat = setInterval(() => {
            heartbeat().catch((error: unknown) => {
              heartbeatError ??= error;
              abortInFlight(error);
            });
          }, config.CDC_KAFKA_HEARTBEAT_INTERVAL_MS);
          try {
            await exclusive(async () => {
              if (deps.isFatal()) {
                pause();
                return;
              }
              if (!isRunning() || isStale() || signal.aborted || generation !== joinedAt) return;
              for (const message of batch.messages) {
                if (deps.isFatal() || !isRunning() || signal.aborted) return;
                const at = { topic, partition, offset: message.offset };
                if (asm.seen(at)) continue;
                let input: AssemblerInput;
                try {
                  input = await deps.feed(toRecord(topic, partition, message), message, assembling);
                } catch (error) {
                  // a bug, not bad data: reading the batch again would fail the same way forever
                  deps.failFatal(error, pause);
                  return;
                }
                asm.push(at, input);
              }
              const last = batch.messages.at(-1);
              if (last) resolveOffset(last.offset); // fetch on; commits follow the assembler's frontier
              highWatermarks.set(`${topic}/${partition}`, BigInt(batch.highWatermark));
              const commit: Commit = async (offsets) => {
                await commitOffsetsIfNecessary({ topics: byTopic(offsets) });
              };
              await drain(asm, joinedAt, signal, commit, pause);
              const frontier = asm.frontier(topic, partition);
              if (frontier !== null) updateLag(topic, partition, frontier);
            });
          } finally {
            clearInterval(beat);
          }
        });
        if (heartbeatError) throw heartbeatError;
      },

    /** Applies the wait bound while no records arrive (kafkajs calls no handler on empty fetches). */
    enforceBounds(run: AbortSignal, commit: Commit): void {
      if (deps.isFatal() || assembler.stats().bufferedRecords === 0) return;
      const asm = assembler;
      const joinedAt = generation;
      void exclusive(() => withDelivery(run, (signal) => drain(asm, joinedAt, signal, commit))).catch(
        (error: unknown) => logger.warn({ err: error }, 'delivering overdue transactions failed'),
      );
    },

    /** A (re)join: kafkajs reads every assigned partition again from its committed offset, so start over. */
    joined(): number {
      generation++;
      assembler = newAssembler();
      abortInFlight(new Error('the group rebalanced'));
      highWatermarks.clear();
      metrics.consumerLag.reset();
      updateGauges(assembler);
      return generation;
    },

    /** Resolves once no batch or bound delivery holds the assembler (stop() waits for this). */
    settled(): Promise<void> {
      return exclusive(async () => undefined);
    },

    /** A rebalance is under way: deliveries in flight will not be committed, stop waiting for them. */
    rebalancing(): void {
      abortInFlight(new Error('the group is rebalancing'));
    },
  };
}

function toRecord(topic: string, partition: number, message: KafkaMessage): KafkaRecord {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key === null ? null : message.key.toString('utf8'),
    value: message.value === null ? null : message.value.toString('utf8'),
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
