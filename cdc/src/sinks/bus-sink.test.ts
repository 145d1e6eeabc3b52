import { type ChangeBatch, isRetriable } from '@commerce/common';
import { MemoryBus } from '@commerce/hub/bus';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createCdcMetrics } from '../metrics.ts';
import { createBusSink } from './bus-sink.ts';

const logger = pino({ level: 'silent' });
const ctx = { signal: new AbortController().signal };

function stockBatch(position: string): ChangeBatch {
  const row = (onHand: number) => ({
    id: '9',
    merchant_id: '1',
    variant_id: '2',
    location_id: '3',
    on_hand: onHand,
    reserved: 0,
    low_stock_threshold: 2,
  });
  const event = {
    source: 'pg' as const,
    table: 'public.inventory_levels',
    op: 'u' as const,
    key: { id: '9' },
    before: row(5),
    after: row(0),
    unchanged: [],
    txId: '1',
    commitTs: 1,
    position,
  };
  return { events: [event], position };
}

describe('bus sink', () => {
  it('publishes routed events, and a replayed batch appends nothing', async () => {
    const bus = new MemoryBus({ historyMax: 100, dedupeWindow: 200 });
    const metrics = createCdcMetrics();
    const sink = createBusSink({ bus, logger, metrics });
    const batch = stockBatch('0000000000000010/00000000');
    await sink.handle(batch, ctx);
    expect(await metrics.registry.metrics()).toMatch(/^cdc_bus_duplicates_total 0$/m);
    await sink.handle(structuredClone(batch), ctx);
    expect((await bus.head('m:1:stock')).seq).toBe(1);
    expect((await bus.head('m:1:stock-alerts')).seq).toBe(1);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/cdc_domain_events_total\{type="stock.out"\} 2/);
    // the replay's stock.changed and stock.out were both skipped, and counted
    expect(text).toMatch(/^cdc_bus_duplicates_total 2$/m);
  });

  it('turns a bus driver failure into a retriable error so the batch is retried, not acknowledged', async () => {
    const sink = createBusSink({
      bus: {
        async publish() {
          throw new Error('ECONNREFUSED');
        },
      },
      logger,
    });
    const error = await sink.handle(stockBatch('0000000000000011/00000000'), ctx).catch((e: unknown) => e);
    expect(isRetriable(error)).toBe(true);
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
  });
});
