import { defineConfig, env } from '@commerce/common';
import { busDriverSchema, DEFAULT_HISTORY_MAX } from '@commerce/hub/bus';
import { z } from 'zod';

const identifier = z
  .string()
  .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case Postgres identifier (a-z, 0-9, _; at most 63)');

export const cdcSourceSchema = z.enum(['pg', 'debezium']);
export type CdcSourceDriver = z.infer<typeof cdcSourceSchema>;

/** The cdc process's environment. Keys are the variable names; docs/configuration.md is generated from it. */
export const cdcConfigSchema = defineConfig(
  'cdc',
  z.object({
    DATABASE_URL: env
      .url(['postgres', 'postgresql'])
      .describe('Postgres with wal_level=logical (replication + catalog reads)'),
    CDC_SOURCE: cdcSourceSchema
      .default('pg')
      .describe('change source: pg (pgoutput slot, embedded default) or debezium (Kafka consumer group)'),
    CDC_SLOT: identifier
      .default('commerce_cdc')
      .describe('logical replication slot (created with pgoutput if missing)'),
    CDC_PUBLICATION: identifier.default('commerce_cdc').describe('publication to stream (migration 0008 creates it)'),
    CDC_BATCH_MAX_CHANGES: env
      .int(10_000, 1)
      .describe('whole transactions are batched up to about this many changes per sink call'),
    CDC_QUEUE_MAX_CHANGES: env
      .int(100_000, 100)
      .describe('decoded changes waiting for the sinks before reading from Postgres pauses'),
    CDC_WAL_WARN_BYTES: env
      .int(1024 * 1024 * 1024, 1)
      .describe('warn when the slot retains more WAL than this (pg_current_wal_lsn - restart_lsn)'),
    CDC_SLOT_CHECK_MS: env.int(10_000, 100).describe('how often slot lag and retained WAL are measured'),
    CDC_HTTP_HOST: z.string().default('127.0.0.1').describe('address of the /health /ready /metrics server'),
    CDC_HTTP_PORT: env.port(9464).describe('port of /health, /ready and /metrics (0 = any free port)'),
    BUS_DRIVER: busDriverSchema
      .default('redis')
      .describe('bus cdc publishes to: redis when cdc runs alone (the hub reads it), memory for benchmarks'),
    REDIS_URL: env.url(['redis', 'rediss']).optional().describe('Redis for BUS_DRIVER=redis'),
    REDIS_KEY_PREFIX: z
      .string()
      .default('commerce:')
      .describe('prefix of every Redis key and channel (same as the hub)'),
    BUS_HISTORY_MAX: env.int(DEFAULT_HISTORY_MAX, 1).describe('entries of history kept per topic (same as the hub)'),
    BUS_DEDUPE_WINDOW: env.int(0).describe('event ids remembered per topic for dedupe (0 = twice the history)'),
    LOG_LEVEL: env.logLevel(),
  }),
);

export type CdcConfig = z.infer<typeof cdcConfigSchema>;
