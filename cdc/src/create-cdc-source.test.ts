import { parseConfig } from '@commerce/common';
import { MemoryBus } from '@commerce/hub/bus';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { cdcConfigSchema } from './config.ts';
import { createCdc } from './create-cdc.ts';

const logger = pino({ level: 'silent' });
const bus = new MemoryBus({ historyMax: 10, dedupeWindow: 10 });
const base = { DATABASE_URL: 'postgres://cdc@127.0.0.1:1/none' };

describe('source selection', () => {
  it('rejects an unknown CDC_SOURCE at startup', () => {
    expect(() => parseConfig(cdcConfigSchema, { ...base, CDC_SOURCE: 'mysql' })).toThrow(/CDC_SOURCE/);
  });

  it('builds the debezium source from its own settings, naming a missing one', async () => {
    const config = parseConfig(cdcConfigSchema, { ...base, CDC_SOURCE: 'debezium' });
    expect(() => createCdc({ config, logger, bus, env: {} })).toThrow(/CDC_KAFKA_BROKERS/);
    const cdc = createCdc({ config, logger, bus, env: { CDC_KAFKA_BROKERS: '127.0.0.1:9092' } });
    expect(cdc.slotMonitor).toBeNull();
    await cdc.stop();
  });

  it('uses a replacement source when given one, with the bus sink first and extra sinks after', async () => {
    const config = parseConfig(cdcConfigSchema, base);
    let sinkNames: string[] = [];
    const cdc = createCdc({
      config,
      logger,
      bus,
      sinks: [{ name: 'search', handle: async () => {} }],
      sources: {
        pg: (ctx) => {
          sinkNames = ctx.sinks.map((s) => s.name);
          return { start: async () => {}, stop: async () => {}, ready: false };
        },
      },
    });
    expect(sinkNames).toEqual(['bus', 'search']);
    expect(cdc.ready).toBe(false);
    await cdc.stop();
  });
});
