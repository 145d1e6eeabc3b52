import { readFileSync } from 'node:fs';
import { defineConfig, env } from '@commerce/common';
import { z } from 'zod';
import { type ColumnTypeMap, validateColumnTypeMap } from './column-types.ts';
import type { DebeziumDecoderOptions } from './decoder.ts';
import { DEFAULT_HEARTBEAT_TOPIC_PREFIX, DEFAULT_UNAVAILABLE_VALUE_PLACEHOLDER } from './decoder.ts';

const list = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .refine((v) => v.length > 0, 'must list at least one entry');

const regex = z.string().refine((v) => {
  try {
    new RegExp(v);
    return true;
  } catch {
    return false;
  }
}, 'must be a valid regular expression');

/**
 * The Debezium change source's environment (CDC_SOURCE=debezium). The connector-side settings
 * (CDC_DEBEZIUM_*) must match infra/debezium/connector.json, or values decode wrongly.
 */
export const debeziumSourceConfig = defineConfig(
  'cdc-debezium',
  z.object({
    CDC_KAFKA_BROKERS: list.describe('Kafka bootstrap brokers, comma-separated host:port'),
    CDC_KAFKA_CLIENT_ID: z.string().default('commerce-cdc').describe('Kafka client id'),
    CDC_KAFKA_GROUP_ID: z
      .string()
      .default('commerce-cdc')
      .describe('consumer group; offsets are committed under it only after every sink succeeded'),
    CDC_KAFKA_TOPICS: list
      .optional()
      .describe('explicit topics to consume (comma-separated); overrides CDC_KAFKA_TOPIC_PATTERN'),
    CDC_KAFKA_TOPIC_PATTERN: regex
      .optional()
      .describe(
        'regex of topics to consume; default: <prefix>.public.*, <prefix>.message, <prefix>.transaction and the heartbeat topic',
      ),
    CDC_KAFKA_TOPIC_REFRESH_MS: env
      .int(30_000, 0, 3_600_000)
      .describe('how often to look for new matching topics (a table gets its topic on its first change); 0 = never'),
    CDC_KAFKA_DLQ_TOPIC: z
      .string()
      .min(1)
      .optional()
      .describe('dead-letter topic for undecodable records (always also logged); unset = log only'),
    CDC_KAFKA_SESSION_TIMEOUT_MS: env
      .int(30_000, 3_000, 300_000)
      .describe(
        'consumer group session timeout (brokers refuse less than their group.min.session.timeout.ms, 6 s by default)',
      ),
    CDC_KAFKA_HEARTBEAT_INTERVAL_MS: env.int(3_000, 100, 60_000).describe('consumer group heartbeat interval'),
    CDC_KAFKA_MAX_WAIT_MS: env
      .int(1_000, 10, 30_000)
      .describe('longest a fetch waits for new records (bounds how long stop() waits on an idle fetch)'),
    CDC_KAFKA_MAX_BATCH_RECORDS: env
      .int(500, 1, 100_000)
      .describe('changes per sink delivery, in whole transactions (one bigger transaction goes alone, unsplit)'),
    CDC_KAFKA_TX_MAX_RECORDS: env
      .int(100_000, 1, 10_000_000)
      .describe(
        'records held while transactions wait for their other records; past it the oldest is delivered as it is (warning, metric)',
      ),
    CDC_KAFKA_TX_MAX_WAIT_MS: env
      .int(60_000, 100, 3_600_000)
      .describe(
        'longest a transaction waits for its missing records before it is delivered as it is (warning, metric)',
      ),
    CDC_DEBEZIUM_TOPIC_PREFIX: z.string().min(1).default('commerce').describe("the connector's topic.prefix"),
    CDC_DEBEZIUM_HEARTBEAT_TOPIC_PREFIX: z
      .string()
      .min(1)
      .default(DEFAULT_HEARTBEAT_TOPIC_PREFIX)
      .describe("the connector's topic.heartbeat.prefix"),
    CDC_DEBEZIUM_DECIMAL_MODE: z
      .enum(['precise', 'string', 'double'])
      .default('precise')
      .describe("the connector's decimal.handling.mode"),
    CDC_DEBEZIUM_TIME_PRECISION_MODE: z
      .enum(['adaptive', 'adaptive_time_microseconds', 'connect'])
      .default('adaptive')
      .describe("the connector's time.precision.mode (used for records without schemas)"),
    CDC_DEBEZIUM_UNAVAILABLE_VALUE: z
      .string()
      .min(1)
      .default(DEFAULT_UNAVAILABLE_VALUE_PLACEHOLDER)
      .describe("the connector's unavailable.value.placeholder"),
    CDC_DEBEZIUM_COLUMN_TYPES_FILE: z
      .string()
      .min(1)
      .optional()
      .describe('JSON file of Postgres column types, needed when the converter runs with schemas.enable=false'),
  }),
);

export type DebeziumSourceConfig = z.infer<typeof debeziumSourceConfig>;

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Which topics to consume: the explicit list, else the pattern, else Debezium's defaults for the prefix. */
export function topicMatcher(config: DebeziumSourceConfig): (topic: string) => boolean {
  if (config.CDC_KAFKA_TOPICS) {
    const topics = new Set(config.CDC_KAFKA_TOPICS);
    return (topic) => topics.has(topic);
  }
  const prefix = escapeRegex(config.CDC_DEBEZIUM_TOPIC_PREFIX);
  const heartbeat = `${escapeRegex(config.CDC_DEBEZIUM_HEARTBEAT_TOPIC_PREFIX)}\\.${prefix}`;
  const pattern = new RegExp(
    config.CDC_KAFKA_TOPIC_PATTERN ??
      `^(?:${prefix}\\.public\\..+|${prefix}\\.message|${prefix}\\.transaction|${heartbeat})$`,
  );
  return (topic) => pattern.test(topic);
}

/** The connector's transaction metadata topic (`<topic.prefix>.<topic.transaction>`, default suffix). */
export function transactionTopic(config: DebeziumSourceConfig): string {
  return `${config.CDC_DEBEZIUM_TOPIC_PREFIX}.transaction`;
}

/**
 * Whether the records of a data collection named in an END record reach this consumer, so END's
 * count for it is awaited. A `schema.table` name goes to `<prefix>.schema.table`; anything else
 * (transactional logical messages, which Debezium 3 counts under a name of its own) is awaited, as
 * `<prefix>.message` is consumed by default. Excluding a table by mistake would hand a transaction
 * out before its records are in, so only a table whose topic is plainly not consumed is left out.
 */
export function dataCollectionConsumed(config: DebeziumSourceConfig): (dataCollection: string) => boolean {
  const matches = topicMatcher(config);
  return (dataCollection) =>
    !/^[^.\s@$]+\.[^.\s@$]+$/.test(dataCollection) || matches(`${config.CDC_DEBEZIUM_TOPIC_PREFIX}.${dataCollection}`);
}

export function decoderOptions(config: DebeziumSourceConfig): DebeziumDecoderOptions {
  let columnTypes: ColumnTypeMap | undefined;
  if (config.CDC_DEBEZIUM_COLUMN_TYPES_FILE) {
    columnTypes = validateColumnTypeMap(JSON.parse(readFileSync(config.CDC_DEBEZIUM_COLUMN_TYPES_FILE, 'utf8')));
  }
  return {
    heartbeatTopicPrefix: config.CDC_DEBEZIUM_HEARTBEAT_TOPIC_PREFIX,
    decimalMode: config.CDC_DEBEZIUM_DECIMAL_MODE,
    timePrecisionMode: config.CDC_DEBEZIUM_TIME_PRECISION_MODE,
    unavailableValuePlaceholder: config.CDC_DEBEZIUM_UNAVAILABLE_VALUE,
    columnTypes,
  };
}
