import { testKeyPrefix, testRedisUrl } from '@commerce/infra/testing';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { busContract, makeEvent, until } from './bus-contract.ts';
import { RedisBus } from './redis-bus.ts';

const prefix = testKeyPrefix();
const url = testRedisUrl();
const admin = new Redis(url);
afterAll(async () => {
  const keys = await admin.keys(`${prefix}*`);
  if (keys.length > 0) await admin.del(...keys);
  await admin.quit();
});

busContract('redis', {
  async create(options) {
    const bus = new RedisBus({ url, keyPrefix: prefix, ...options });
    await bus.start();
    return bus;
  },
  async loseHistory(bus, topic) {
    await (bus as RedisBus).loseHistory(topic);
  },
});

describe('RedisBus specifics', () => {
  it('keeps every key and channel under its prefix', async () => {
    const bus = new RedisBus({ url, keyPrefix: prefix, historyMax: 10, dedupeWindow: 10 });
    await bus.start();
    const probe = new Redis(url);
    const channels: string[] = [];
    await probe.psubscribe('*');
    probe.on('pmessage', (_p, channel) => channels.push(channel));
    try {
      await bus.publish([makeEvent('m:7:stock')]);
      await until(() => channels.length > 0);
      expect(channels.every((c) => c.startsWith(prefix))).toBe(true);
      const keys = await admin.keys('*m:7:stock*');
      expect(keys.length).toBe(3);
      expect(keys.every((k) => k.startsWith(prefix))).toBe(true);
    } finally {
      await probe.quit();
      await bus.stop();
    }
  });

  it('repairs a lost notification from history so listeners still see every seq in order', async () => {
    const reader = new RedisBus({ url, keyPrefix: prefix, historyMax: 100, dedupeWindow: 100 });
    const writer = new RedisBus({ url, keyPrefix: prefix, historyMax: 100, dedupeWindow: 100 });
    await Promise.all([reader.start(), writer.start()]);
    const topic = 'm:7:b:1:orders';
    const seen: number[] = [];
    try {
      await reader.subscribe(topic, (e) => seen.push(e.seq));
      // append three entries without notifying (as if Pub/Sub messages were lost), then one normally
      const meta = `${prefix}bus:{${topic}}:meta`;
      const log = `${prefix}bus:{${topic}}:log`;
      await writer.publish([makeEvent(topic)]);
      await until(() => seen.length === 1);
      for (let seq = 2; seq <= 4; seq++) {
        await admin.hincrby(meta, 'seq', 1);
        await admin.xadd(log, `0-${seq}`, 'e', JSON.stringify(makeEvent(topic)));
      }
      await writer.publish([makeEvent(topic)]);
      await until(() => seen.length >= 5);
      expect(seen).toEqual([1, 2, 3, 4, 5]);
    } finally {
      await Promise.all([reader.stop(), writer.stop()]);
    }
  });
});
