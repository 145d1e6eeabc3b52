/**
 * createCdc: the change source picked by CDC_SOURCE (pg: the pgoutput slot; debezium: the Kafka
 * consumer group of src/debezium, configured by its own CDC_KAFKA_* / CDC_DEBEZIUM_* variables),
 * feeding the bus sink (router → bus.publish) and any extra sinks (the search indexer), with the
 * slot monitor for the pg source. Used in-process by `npm start` and by main.ts when cdc runs alone.
 * The caller owns the bus (starts and stops it).
 */
import { type ChangeSink, type Logger, parseConfig } from '@commerce/common';
import type { Bus } from '@commerce/hub/bus';
import postgres, { type Sql } from 'postgres';
import type { CdcConfig, CdcSourceDriver } from './config.ts';
import { debeziumSourceConfig } from './debezium/config.ts';
import { createDebeziumKafkaSource } from './debezium/kafka-source.ts';
import { CdcError } from './errors.ts';
import { type CdcMetrics, createCdcMetrics } from './metrics.ts';
import { createPgSource } from './pg/pg-source.ts';
import { createSlotMonitor, type SlotMonitor } from './pg/slot-monitor.ts';
import { EnrichmentCache } from './router/enrichment-cache.ts';
import { createBusSink } from './sinks/bus-sink.ts';
import type { ChangeSourceRunner } from './source.ts';

export interface SourceContext {
  config: CdcConfig;
  logger: Logger;
  metrics: CdcMetrics;
  sql: Sql;
  sinks: readonly ChangeSink[];
  onFatal: (error: unknown) => void;
  /** environment for source-specific settings (the debezium source's CDC_KAFKA_* / CDC_DEBEZIUM_*) */
  env: Record<string, string | undefined>;
}

export type SourceRunner = ChangeSourceRunner & { readonly ready?: boolean };
export type SourceFactory = (ctx: SourceContext) => SourceRunner;

export interface CdcDeps {
  config: CdcConfig;
  logger: Logger;
  /** where domain events go (the hub reads them) */
  bus: Pick<Bus, 'publish'>;
  /** catalog reads (slot, keys, stock names); opened from DATABASE_URL when absent, and then closed by stop() */
  sql?: Sql;
  /** more sinks after the bus sink, e.g. the search indexer */
  sinks?: readonly ChangeSink[];
  metrics?: CdcMetrics;
  /** the source gave up on a change it cannot deliver (it never skips one); main.ts exits */
  onFatal?: (error: unknown) => void;
  /** replaces the built-in source implementations (tests) */
  sources?: Partial<Record<CdcSourceDriver, SourceFactory>>;
  /** where source-specific settings are read from; default process.env */
  env?: Record<string, string | undefined>;
}

export interface Cdc {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** streaming and not failed */
  readonly ready: boolean;
  /** the source gave up (see onFatal) */
  readonly failed: boolean;
  readonly metrics: CdcMetrics;
  readonly slotMonitor: SlotMonitor | null;
}

const pgSourceFactory: SourceFactory = (ctx) =>
  createPgSource({
    databaseUrl: ctx.config.DATABASE_URL,
    sql: ctx.sql,
    slot: ctx.config.CDC_SLOT,
    publication: ctx.config.CDC_PUBLICATION,
    sinks: ctx.sinks,
    logger: ctx.logger,
    metrics: ctx.metrics,
    maxBatchChanges: ctx.config.CDC_BATCH_MAX_CHANGES,
    maxQueuedChanges: ctx.config.CDC_QUEUE_MAX_CHANGES,
    onFatal: ctx.onFatal,
  });

const debeziumSourceFactory: SourceFactory = (ctx) =>
  createDebeziumKafkaSource(parseConfig(debeziumSourceConfig, ctx.env), {
    sinks: ctx.sinks,
    logger: ctx.logger,
    metrics: ctx.metrics,
    onFatal: ctx.onFatal,
  });

export function createCdc(deps: CdcDeps): Cdc {
  const { config } = deps;
  const logger = deps.logger;
  const metrics = deps.metrics ?? createCdcMetrics();
  const ownSql = !deps.sql;
  const sql = deps.sql ?? postgres(config.DATABASE_URL, { max: 3, onnotice: () => {} });
  let failed = false;
  const onFatal = (error: unknown) => {
    failed = true;
    deps.onFatal?.(error);
  };
  const busSink = createBusSink({ bus: deps.bus, logger, metrics, enrichment: new EnrichmentCache(sql) });
  const sinks = [busSink, ...(deps.sinks ?? [])];
  const factory = { pg: pgSourceFactory, debezium: debeziumSourceFactory, ...deps.sources }[config.CDC_SOURCE];
  if (!factory)
    throw new CdcError(
      'config',
      'cdc.source_unavailable',
      `CDC_SOURCE=${config.CDC_SOURCE} has no implementation wired in`,
    );
  const source = factory({ config, logger, metrics, sql, sinks, onFatal, env: deps.env ?? process.env });
  const slotMonitor =
    config.CDC_SOURCE === 'pg'
      ? createSlotMonitor({
          sql,
          slot: config.CDC_SLOT,
          logger,
          metrics,
          warnBytes: config.CDC_WAL_WARN_BYTES,
          intervalMs: config.CDC_SLOT_CHECK_MS,
        })
      : null;

  return {
    metrics,
    slotMonitor,
    get ready() {
      return !failed && source.ready !== false;
    },
    get failed() {
      return failed;
    },
    async start() {
      logger.info({ source: config.CDC_SOURCE, sinks: sinks.map((s) => s.name) }, 'cdc starting');
      await source.start();
      if (slotMonitor) {
        await slotMonitor.check().catch((error) => logger.warn({ err: error }, 'slot check failed'));
        slotMonitor.start();
      }
    },
    async stop() {
      await slotMonitor?.stop();
      await source.stop();
      if (ownSql) await sql.end({ timeout: 5 });
    },
  };
}
