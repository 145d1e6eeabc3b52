/** The Debezium change source (production): decoder, transaction assembly, Kafka consumer-group source, config. */
export type { ColumnTypeMap } from './column-types.ts';
export type { DecimalMode, TimePrecisionMode } from './column-values.ts';
export {
  type DebeziumSourceConfig,
  dataCollectionConsumed,
  debeziumSourceConfig,
  decoderOptions,
  topicMatcher,
  transactionTopic,
} from './config.ts';
export { DLQ_HEADERS } from './dead-letter.ts';
export { type DecodeStreamStats, decodeDebeziumLines } from './decode-stream.ts';
export {
  createDebeziumDecoder,
  DEFAULT_HEARTBEAT_TOPIC_PREFIX,
  DEFAULT_UNAVAILABLE_VALUE_PLACEHOLDER,
  type DebeziumDecoder,
  type DebeziumDecoderOptions,
  type DecodeResult,
  type KafkaRecord,
  type SkipReason,
} from './decoder.ts';
export { DebeziumDecodeError, type RecordCoordinates, UnexpectedDecodeError } from './errors.ts';
export {
  createDebeziumKafkaSource,
  type DebeziumKafkaSource,
  type DebeziumKafkaSourceDeps,
  type DebeziumSourceStats,
} from './kafka-source.ts';
export { DEBEZIUM_POSITION_LENGTH } from './position.ts';
export { type TransactionBoundary, type TransactionMember, transactionKey } from './transaction-metadata.ts';
export { KafkaTransactionAssembler } from './tx-assembler.ts';
