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

describe('MemoryBus dedupe window', () => {
  const event = (topic: string, n: number) => ({
    v: 1 as const,
    type: 'stock.changed' as const,
    id: `stock.changed:${n}@p${n}`,
    merchantId: '1',
    topic,
    entity: { n },
    position: `p${n}`,
    occurredAt: null,
  });

  it('forgets exactly the ids older than the window, also after the ring wrapped many times', async () => {
    const bus = new MemoryBus({ historyMax: 5, dedupeWindow: 20 });
    const topic = 'm:1:stock';
    await bus.publish(Array.from({ length: 105 }, (_, n) => event(topic, n)));
    // the window holds the last 20 ids: 85..104
    expect(await bus.publish([event(topic, 85), event(topic, 104)])).toEqual({ appended: 0, duplicates: 2 });
    expect(await bus.publish([event(topic, 84)])).toEqual({ appended: 1, duplicates: 0 });
    // 84 was appended again, so 85 is now the oldest and fell out
    expect(await bus.publish([event(topic, 85)])).toEqual({ appended: 1, duplicates: 0 });
    expect((await bus.head(topic)).seq).toBe(107);
  });
});
