import { topics } from '@commerce/common';
import { testKeyPrefix, testRedisUrl } from '@commerce/infra/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent } from './bus/bus-contract.ts';
import { RedisBus } from './bus/redis-bus.ts';
import type { Hub } from './create-hub.ts';
import { hubFixture, seqs, until } from './testing/hub-fixture.ts';
import { tcpProxy } from './testing/proxies.ts';

// Must show: two hub instances on one Redis; recovery of exactly the missed events; trimmed history
// and a lost epoch reported as recovered:false (real port, real Redis).
const prefix = testKeyPrefix();
const redisBus = (historyMax = 1000) =>
  new RedisBus({ url: testRedisUrl(), keyPrefix: prefix, historyMax, dedupeWindow: historyMax * 2 });

let fx: Awaited<ReturnType<typeof hubFixture>>;
const buses: RedisBus[] = [];
let writer: RedisBus;
let hubA: Hub;
let hubB: Hub;

beforeAll(async () => {
  fx = await hubFixture();
  // cdc's side (the only writer, short history so trimming is reachable) and one bus per hub instance
  writer = redisBus(100);
  buses.push(writer, redisBus(), redisBus());
  await Promise.all(buses.map((bus) => bus.start()));
  hubA = await fx.startHub(buses[1]!);
  hubB = await fx.startHub(buses[2]!);
});
afterAll(async () => {
  await fx.close();
  await Promise.all(buses.map((bus) => bus.stop()));
});

describe('scale-out over one Redis', () => {
  it('gives a terminal on each of two instances every event once, in order', async () => {
    const topic = topics.orders('1', '2');
    const onA = fx.client(hubA, await fx.token({ roles: ['cashier'] }));
    const onB = fx.client(hubB, await fx.token({ id: '2', roles: ['cashier'] }));
    await Promise.all([onA.connect(), onB.connect()]);
    onA.subscribe(topic);
    onB.subscribe(topic);
    await until(() => onA.seen.subscribed.length === 1 && onB.seen.subscribed.length === 1);
    const events = Array.from({ length: 30 }, (_, i) => makeEvent(topic, `order-${i}`));
    for (let i = 0; i < events.length; i += 7) await writer.publish(events.slice(i, i + 7));
    await writer.publish(events.slice(0, 5)); // a replayed batch changes nothing
    await until(() => onA.seen.events.length >= 30 && onB.seen.events.length >= 30, 5_000, 'both terminals');
    await new Promise((r) => setTimeout(r, 100));
    for (const client of [onA, onB]) {
      expect(client.seen.events.map((e) => e.event.id)).toEqual(events.map((e) => e.id));
      expect(seqs(client)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    }
  });
});

describe('recovery after a dropped connection', () => {
  async function droppedTerminal(topic: string) {
    const proxy = await tcpProxy(hubA.port);
    const client = fx.client(hubA, await fx.token({ roles: ['kitchen'] }), { url: proxy.url });
    await client.connect();
    client.subscribe(topic);
    await until(() => client.seen.subscribed.length === 1);
    await writer.publish([makeEvent(topic), makeEvent(topic), makeEvent(topic)]);
    await until(() => client.seen.events.length === 3);
    proxy.cut();
    await until(() => client.state === 'reconnecting', 5_000, 'reconnecting');
    return { proxy, client };
  }

  it('replays exactly the 50 missed events, in order, after reconnecting', async () => {
    const topic = topics.kitchen('1', '2', '50');
    const { proxy, client } = await droppedTerminal(topic);
    const missed = Array.from({ length: 50 }, (_, i) => makeEvent(topic, `missed-${i}`));
    await writer.publish(missed);
    proxy.restore();
    await until(() => client.seen.recovered.length === 1, 10_000, 'recovered');
    expect(client.seen.recovered).toEqual([{ topic, count: 50 }]);
    const after = client.seen.events.slice(3);
    expect(after.map((e) => e.event.id)).toEqual(missed.map((e) => e.id));
    expect(after.every((e) => e.replayed)).toBe(true);
    await writer.publish([makeEvent(topic, 'live-after')]);
    await until(() => client.seen.events.length === 54);
    expect(seqs(client)).toEqual(Array.from({ length: 54 }, (_, i) => i + 1));
    expect(client.seen.reload).toEqual([]);
    expect(client.seen.synced.at(-1)).toEqual({ recovered: [topic], reloadRequired: [], fresh: [] });
    await proxy.close();
  });

  it('says recovered:false (reload) when the missed entries were trimmed, then continues live', async () => {
    const topic = topics.kitchen('1', '2', '51');
    const { proxy, client } = await droppedTerminal(topic);
    await writer.publish(Array.from({ length: 120 }, () => makeEvent(topic))); // history keeps 100
    proxy.restore();
    await until(() => client.seen.reload.length === 1, 10_000, 'reload-required');
    expect(client.seen.reload).toEqual([{ topic, reason: 'trimmed' }]);
    expect(client.seen.recovered).toEqual([]);
    expect(client.seen.events).toHaveLength(3);
    await writer.publish([makeEvent(topic, 'next')]);
    await until(() => client.seen.events.length === 4);
    expect(client.seen.events[3]!.position.seq).toBe(124);
    await proxy.close();
  });

  it('says recovered:false when the history (epoch) was lost meanwhile', async () => {
    const topic = topics.kitchen('1', '2', '52');
    const { proxy, client } = await droppedTerminal(topic);
    await writer.loseHistory(topic);
    await writer.publish([makeEvent(topic), makeEvent(topic)]);
    proxy.restore();
    await until(() => client.seen.reload.length === 1, 10_000, 'reload-required');
    expect(client.seen.reload).toEqual([{ topic, reason: 'epoch_changed' }]);
    await proxy.close();
  });
});
