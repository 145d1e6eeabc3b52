/** @commerce/cdc: committed changes → normalized change events → domain events and search sinks. */
export { type CdcConfig, type CdcSourceDriver, cdcConfigSchema, cdcSourceSchema } from './config.ts';
export { type Cdc, type CdcDeps, createCdc, type SourceContext, type SourceFactory } from './create-cdc.ts';
export { deliverToSinks } from './deliver.ts';
export { CdcError, type CdcErrorCode } from './errors.ts';
export { type CdcMetrics, createCdcMetrics } from './metrics.ts';
export { type MetricsServer, startMetricsServer } from './metrics-server.ts';
export { formatLsn, parseLsn, parsePgPosition, pgPosition } from './pg/lsn.ts';
export { createPgSource, type PgSource, type PgSourceOptions } from './pg/pg-source.ts';
export { EnrichmentCache } from './router/enrichment-cache.ts';
export type * from './router/entities.ts';
export { domainEventId } from './router/event-id.ts';
export { type Enrichment, noEnrichment, type RouteResult, routeChanges } from './router/route.ts';
export { stockAlert, stockState } from './router/stock-alerts.ts';
export { type BusSinkDeps, createBusSink } from './sinks/bus-sink.ts';
export type { ChangeSourceRunner } from './source.ts';
