import { describe, expect, it } from 'vitest';
import type { Bus } from './bus.ts';
import { busContract } from './bus-contract.ts';
import { createBus } from './create-bus.ts';
import { MemoryBus } from './memory-bus.ts';

// one process = one shared storage, so every bus a test makes is the same instance
let shared: MemoryBus | undefined;
busContract('memory', {
  async create(options) {
    if (!shared) shared = new MemoryBus(options);
    const bus = shared;
    return {
      publish: (e) => bus.publish(e),
      subscribe: (t, l) => bus.subscribe(t, l),
      history: (t, s, n) => bus.history(t, s, n),
      head: (t) => bus.head(t),
      start: async () => {},
      stop: async () => {
        shared = undefined;
      },
    } satisfies Bus;
  },
  async loseHistory(_bus, topic) {
    shared?.loseHistory(topic);
  },
});

describe('createBus', () => {
  it('picks the implementation from the driver and rejects unknown drivers', () => {
    expect(createBus({ driver: 'memory' })).toBeInstanceOf(MemoryBus);
    expect(() => createBus({ driver: 'kafka' as 'memory' })).toThrow();
    expect(() => createBus({ driver: 'redis' })).toThrow(/REDIS_URL/);
  });
});
