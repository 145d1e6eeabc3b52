import type { Logger } from '@commerce/common';
import type { IHeaders, Producer } from 'kafkajs';
import type { KafkaRecord } from './decoder.ts';
import type { DebeziumDecodeError } from './errors.ts';

/**
 * Parks records that cannot be decoded so they never stop the stream: always one error log line
 * with everything needed to find and replay the record (coordinates, reason, raw key and value),
 * and, when a DLQ topic is configured, the original key/value/headers re-produced there with
 * `dlq.*` headers naming the source coordinates and the reason. Producing is retried until it
 * succeeds or the source stops: the offset is committed only once the record is parked.
 */
export interface DeadLetterQueue {
  park(
    record: KafkaRecord,
    raw: { key: Buffer | null; value: Buffer | null; headers?: IHeaders },
    error: DebeziumDecodeError,
  ): Promise<void>;
}

export interface DeadLetterOptions {
  logger: Logger;
  topic?: string;
  producer?: Producer;
  signal: AbortSignal;
  backoffMs?: number;
  maxBackoffMs?: number;
}

export const DLQ_HEADERS = {
  topic: 'dlq.source.topic',
  partition: 'dlq.source.partition',
  offset: 'dlq.source.offset',
  code: 'dlq.error.code',
  reason: 'dlq.error.reason',
} as const;

export function createDeadLetterQueue(options: DeadLetterOptions): DeadLetterQueue {
  const { logger, topic, producer, signal } = options;
  return {
    async park(record, raw, error) {
      logger.error(
        {
          deadLetter: true,
          topic: record.topic,
          partition: record.partition,
          offset: record.offset,
          code: error.code,
          reason: error.reason,
          key: record.key,
          value: record.value,
          dlqTopic: topic ?? null,
        },
        'undecodable Debezium record parked',
      );
      if (!topic || !producer) return;
      const headers: IHeaders = {
        ...(raw.headers ?? {}),
        [DLQ_HEADERS.topic]: record.topic,
        [DLQ_HEADERS.partition]: String(record.partition),
        [DLQ_HEADERS.offset]: record.offset,
        [DLQ_HEADERS.code]: error.code,
        [DLQ_HEADERS.reason]: error.reason,
      };
      let delay = options.backoffMs ?? 100;
      for (;;) {
        signal.throwIfAborted();
        try {
          await producer.send({ topic, acks: -1, messages: [{ key: raw.key, value: raw.value, headers }] });
          return;
        } catch (sendError) {
          logger.warn({ err: sendError, dlqTopic: topic, delay }, 'dead-letter produce failed, retrying');
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, delay);
            signal.addEventListener(
              'abort',
              () => {
                clearTimeout(timer);
                resolve();
              },
              { once: true },
            );
          });
          delay = Math.min(delay * 2, options.maxBackoffMs ?? 5_000);
        }
      }
    },
  };
}
