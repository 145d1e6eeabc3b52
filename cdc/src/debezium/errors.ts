import { AppError } from '@commerce/common';
import type { TransactionMember } from './transaction-metadata.ts';

/** Where a Kafka record came from: what a dead-letter entry and an operator need to find it. */
export interface RecordCoordinates {
  topic: string;
  partition: number;
  offset: string;
}

/**
 * A Debezium record that cannot be decoded (bad JSON, unknown op, a value that does not match its
 * schema...). Not retriable: decoding it again gives the same answer, so the consumer parks it in
 * the dead-letter topic / log and goes on.
 */
export class DebeziumDecodeError extends AppError {
  readonly coordinates: RecordCoordinates;
  readonly reason: string;
  /** the record's transaction block, when it was readable: the parked record still counts in its transaction */
  readonly transaction: TransactionMember | undefined;

  constructor(coordinates: RecordCoordinates, reason: string, cause?: unknown, transaction?: TransactionMember) {
    super(
      'invalid_input',
      'cdc.debezium.undecodable',
      `cannot decode Debezium record ${coordinates.topic}[${coordinates.partition}]@${coordinates.offset}: ${reason}`,
      { retriable: false, cause, details: { ...coordinates, reason } },
    );
    this.name = 'DebeziumDecodeError';
    this.coordinates = coordinates;
    this.reason = reason;
    this.transaction = transaction;
  }
}

/**
 * Anything else thrown while decoding one record (a TypeError from a shape nobody foresaw, i.e. a
 * decoder bug): still that one record's problem, so it is parked like any undecodable record
 * instead of stopping the stream. `cause` keeps the original error and its stack.
 */
export class UnexpectedDecodeError extends DebeziumDecodeError {
  constructor(coordinates: RecordCoordinates, error: unknown, transaction?: TransactionMember) {
    const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    super(coordinates, `unexpected ${what}`, error, transaction);
    this.name = 'UnexpectedDecodeError';
  }
}

/** What a failed decode of one record is reported as: the decoder's own error, or the unexpected one wrapped. */
export function asDecodeError(thrown: unknown, record: RecordCoordinates): DebeziumDecodeError {
  if (thrown instanceof DebeziumDecodeError) return thrown;
  return new UnexpectedDecodeError({ topic: record.topic, partition: record.partition, offset: record.offset }, thrown);
}

/** Thrown inside value conversion; the decoder wraps it with the record's coordinates. */
export class ValueError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ValueError';
  }
}
