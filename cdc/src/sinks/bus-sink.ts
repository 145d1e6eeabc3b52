/**
 * The hub bus sink: routes each batch to domain events and publishes them in one call. Publishing
 * is idempotent on the bus (dedupe by event id, and ids are derived from source positions), so a
 * batch delivered again after a crash appends nothing twice.
 */
import type { ChangeSink, Logger } from '@commerce/common';
import type { Bus } from '@commerce/hub/bus';
import { asRetriable } from '../errors.ts';
import type { CdcMetrics } from '../metrics.ts';
import type { EnrichmentCache } from '../router/enrichment-cache.ts';
import { noEnrichment, routeChanges } from '../router/route.ts';

export interface BusSinkDeps {
  bus: Pick<Bus, 'publish'>;
  logger: Logger;
  metrics?: CdcMetrics;
  /** names for stock events; without it they carry null names */
  enrichment?: EnrichmentCache;
}

export function createBusSink(deps: BusSinkDeps): ChangeSink {
  return {
    name: 'bus',
    async handle(batch) {
      await deps.enrichment?.prepare(batch.events);
      const { events, skipped } = routeChanges(batch.events, deps.enrichment ?? noEnrichment);
      for (const [reason, n] of Object.entries(skipped)) deps.metrics?.routerSkipped.inc({ reason }, n);
      if (events.length === 0) return;
      try {
        const result = await deps.bus.publish(events);
        if (result.duplicates > 0) {
          deps.metrics?.busDuplicates.inc(result.duplicates);
          deps.logger.debug(
            { duplicates: result.duplicates, position: batch.position },
            'replayed events skipped by the bus',
          );
        }
      } catch (error) {
        // a driver error (Redis down) is an outage: deliverToSinks retries, the batch is not acknowledged
        throw asRetriable(error, 'cdc.bus_unavailable', 'publishing to the bus failed');
      }
      if (deps.metrics) {
        // one counter update per type and batch: label lookups per event add up at 30k events/s
        const byType = new Map<string, number>();
        for (const e of events) byType.set(e.type, (byType.get(e.type) ?? 0) + 1);
        for (const [type, n] of byType) deps.metrics.domainEvents.inc({ type }, n);
      }
    },
  };
}
