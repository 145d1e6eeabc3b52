import { topics } from '@commerce/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent } from './bus/bus-contract.ts';
import { MemoryBus } from './bus/memory-bus.ts';
import { hubFixture, seqs, until } from './testing/hub-fixture.ts';

let fx: Awaited<ReturnType<typeof hubFixture>>;
beforeAll(async () => {
  fx = await hubFixture();
});
afterAll(() => fx.close());

describe('hub over a real port with the SDK', () => {
  it('handshakes, subscribes and delivers decrypted events in order', async () => {
    const bus = new MemoryBus({ historyMax: 100, dedupeWindow: 200 });
    const hub = await fx.startHub(bus);
    const topic = topics.kitchen('1', '2', '3');
    const client = fx.client(hub, await fx.token());
    await client.connect();
    client.subscribe(topic);
    await until(() => client.seen.subscribed.length === 1);
    await bus.publish([makeEvent(topic), makeEvent(topic), makeEvent(topic)]);
    await until(() => client.seen.events.length === 3);
    expect(seqs(client)).toEqual([1, 2, 3]);
    expect(client.seen.events[0]!.event.topic).toBe(topic);
  });
});
