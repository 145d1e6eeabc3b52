import type { Logger } from '@commerce/common';
import { z } from 'zod';
import { HubError } from '../errors.ts';
import type { Bus } from './bus.ts';
import { MemoryBus } from './memory-bus.ts';
import { RedisBus } from './redis-bus.ts';

export const busDriverSchema = z.enum(['memory', 'redis']);
export type BusDriver = z.infer<typeof busDriverSchema>;

export interface BusConfig {
  driver: BusDriver;
  /** required for the redis driver */
  redisUrl?: string | undefined;
  keyPrefix?: string;
  historyMax?: number;
  dedupeWindow?: number;
}

export const DEFAULT_HISTORY_MAX = 10_000;

/** Picks the bus implementation from config; an unknown driver or a missing Redis URL fails here, at startup. */
export function createBus(config: BusConfig, deps: { logger?: Logger } = {}): Bus {
  const driver = busDriverSchema.parse(config.driver);
  const historyMax = config.historyMax ?? DEFAULT_HISTORY_MAX;
  const dedupeWindow = Math.max(historyMax, config.dedupeWindow ?? historyMax * 2);
  switch (driver) {
    case 'memory':
      return new MemoryBus({ historyMax, dedupeWindow }, deps);
    case 'redis':
      if (!config.redisUrl) throw new HubError('config', 'bus.redis_url_missing', 'BUS_DRIVER=redis needs REDIS_URL');
      return new RedisBus({ url: config.redisUrl, keyPrefix: config.keyPrefix ?? '', historyMax, dedupeWindow }, deps);
  }
}
