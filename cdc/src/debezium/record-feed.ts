import type { Logger } from '@commerce/common';
import type { KafkaMessage } from 'kafkajs';
import type { DeadLetterQueue } from './dead-letter.ts';
import type { DebeziumDecoder, KafkaRecord, SkipReason } from './decoder.ts';
import { asDecodeError, UnexpectedDecodeError } from './errors.ts';
import type { DebeziumMetrics } from './metrics.ts';
import type { AssemblerInput } from './tx-assembler.ts';

export interface FeedCounters {
  records: number;
  skipped: Record<SkipReason, number>;
  deadLettered: number;
  lastHeartbeatAt: number | null;
}

export interface RecordFeedDeps {
  decoder: DebeziumDecoder;
  deadLetters: () => DeadLetterQueue;
  counters: FeedCounters;
  metrics: DebeziumMetrics;
  logger: Logger;
}

/**
 * One Kafka record → what the transaction assembler should do with it. Counts every record by
 * outcome, parks undecodable ones (a parked record still counts in its transaction when its
 * transaction block could be read). With `assembling` off (the transaction topic is not consumed),
 * transaction blocks are ignored and every change stands alone, as before transaction metadata.
 * An unexpected error while decoding (a decoder bug) parks the record too, logged with its stack.
 */
export function createRecordFeed(deps: RecordFeedDeps) {
  const { decoder, counters, metrics } = deps;
  let warnedUnassembled = false;
  const unassembled = (record: KafkaRecord) => {
    if (warnedUnassembled) return;
    warnedUnassembled = true;
    deps.logger.warn(
      { topic: record.topic },
      'records carry transaction metadata but the transaction topic is not consumed: changes go out one by one, not as whole transactions',
    );
  };

  return async (record: KafkaRecord, raw: KafkaMessage, assembling: boolean): Promise<AssemblerInput> => {
    counters.records++;
    try {
      const result = decoder.decode(record);
      if (result.kind === 'change') {
        metrics.records.inc({ outcome: 'change' });
        if (result.transaction && !assembling) unassembled(record);
        return { kind: 'change', event: result.event, transaction: assembling ? (result.transaction ?? null) : null };
      }
      counters.skipped[result.reason]++;
      metrics.records.inc({ outcome: result.reason });
      if (result.reason === 'heartbeat') {
        counters.lastHeartbeatAt = Date.now();
        metrics.lastHeartbeat.set(counters.lastHeartbeatAt / 1000);
      }
      if (!assembling) return { kind: 'skip' };
      if (result.boundary?.status === 'END') return { kind: 'end', boundary: result.boundary };
      if (result.transaction) return { kind: 'member', transaction: result.transaction };
      return { kind: 'skip' };
    } catch (thrown) {
      // a decoder that throws something else (a bug) must not stop the stream over one record either
      const error = asDecodeError(thrown, record);
      if (error instanceof UnexpectedDecodeError) {
        deps.logger.error(
          { err: error.cause, topic: record.topic, partition: record.partition, offset: record.offset },
          'the Debezium decoder failed unexpectedly on a record (a bug to fix): parking it',
        );
      }
      await deps.deadLetters().park(record, raw, error);
      counters.deadLettered++;
      metrics.records.inc({ outcome: 'dead_letter' });
      return assembling && error.transaction ? { kind: 'member', transaction: error.transaction } : { kind: 'skip' };
    }
  };
}
