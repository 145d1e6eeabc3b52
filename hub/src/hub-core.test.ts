import { createTokenVerifier, topics } from '@commerce/common';
import type { HubEvent } from '@commerce/sdk';
import { decodeSealedHeader, decodeTopicHeader, FrameType } from '@commerce/sdk/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent } from './bus/bus-contract.ts';
import { MemoryBus } from './bus/memory-bus.ts';
import { hubFixture, until } from './testing/hub-fixture.ts';
import { inProcessHub } from './testing/in-process-hub.ts';

// The protocol core in-process (no sockets): the same SDK talks to it through a memory transport.
let fx: Awaited<ReturnType<typeof hubFixture>>;
const stops: Array<() => Promise<void>> = [];
beforeAll(async () => {
  fx = await hubFixture();
});
afterAll(async () => {
  for (const stop of stops) await stop();
  await fx.close();
});

async function setup(settings = {}) {
  const bus = new MemoryBus({ historyMax: 1000, dedupeWindow: 2000 });
  const auth = fx;
  const hub = await inProcessHub({
    bus,
    logger: fx.logger,
    verify: await createTokenVerifier({
      publicKeyPem: fx.authPublicKey,
      issuer: 'test-issuer',
      audience: 'test-audience',
    }),
    signingKeyPem: fx.signing.privateKey,
    signingPublicPem: fx.signing.publicKey,
    settings,
  });
  stops.push(() => hub.stop());
  return { bus, hub, auth };
}

async function subscribers(hub: Awaited<ReturnType<typeof setup>>['hub'], topic: string, count: number) {
  const clients = [];
  for (let i = 0; i < count; i++) {
    const frames: Uint8Array[] = [];
    const events: HubEvent[] = [];
    const client = hub.client(await fx.token({ id: String(i + 1) }), {
      onRawFrame: (bytes) => {
        if (bytes[1] === FrameType.topic) frames.push(bytes.slice());
      },
    });
    client.on('event', (e) => events.push(e));
    let confirmed = false;
    client.on('subscribed', () => {
      confirmed = true;
    });
    await client.connect();
    client.subscribe(topic);
    await until(() => confirmed);
    stops.push(async () => client.close());
    clients.push({ client, frames, events });
  }
  return clients;
}

describe('encrypt once per topic', () => {
  it('seals each event once and hands the same bytes to every subscriber', async () => {
    const { bus, hub } = await setup({ maxEventsPerFrame: 1 });
    const topic = topics.kitchen('1', '2', '3');
    const clients = await subscribers(hub, topic, 25);
    await bus.publish(Array.from({ length: 10 }, () => makeEvent(topic)));
    await until(() => clients.every((c) => c.events.length === 10));
    expect(hub.fanout.publishCalls).toBe(10);
    for (let seq = 0; seq < 10; seq++) {
      const copies = new Set(clients.map((c) => Buffer.from(c.frames[seq]!).toString('hex')));
      expect(copies.size).toBe(1);
    }
    for (const c of clients) expect(c.events.map((e) => e.position.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('seals the events of one bus delivery together, up to maxEventsPerFrame, and every terminal reads them in order', async () => {
    const { bus, hub } = await setup({ maxEventsPerFrame: 4 });
    const topic = topics.kitchen('1', '2', '3');
    const clients = await subscribers(hub, topic, 5);
    const events = Array.from({ length: 10 }, () => makeEvent(topic));
    await bus.publish(events); // one delivery: frames of 4, 4 and 2
    await bus.publish([makeEvent(topic)]); // a later turn: a frame of its own
    await until(() => clients.every((c) => c.events.length === 11));
    expect(hub.fanout.publishCalls).toBe(4);
    for (const c of clients) {
      expect(c.frames.map((f) => [decodeTopicHeader(f).seq, decodeTopicHeader(f).count])).toEqual([
        [1, 4],
        [5, 4],
        [9, 2],
        [11, 1],
      ]);
      expect(c.events.map((e) => e.position.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
      expect(c.events.slice(0, 10).map((e) => e.event.id)).toEqual(events.map((e) => e.id));
    }
    expect(new Set(clients.map((c) => Buffer.from(c.frames[0]!).toString('hex'))).size).toBe(1);
    const metrics = await hub.metrics.registry.metrics();
    expect(metrics).toMatch(/hub_frames_published_total 4/);
    expect(metrics).toMatch(/hub_events_published_total 11/);
    expect(metrics).toMatch(/hub_deliveries_total 55/);
  });

  it('rotates on a timer and after maxFramesPerKey frames; subscribers keep reading', async () => {
    const { bus, hub } = await setup({ maxFramesPerKey: 4, maxEventsPerFrame: 1 });
    const topic = topics.stockAlerts('1');
    const clients = await subscribers(hub, topic, 3);
    await bus.publish(Array.from({ length: 6 }, () => makeEvent(topic)));
    await until(() => clients.every((c) => c.events.length === 6));
    hub.registry.rotateOlderThan(0);
    await bus.publish(Array.from({ length: 6 }, () => makeEvent(topic)));
    await until(() => clients.every((c) => c.events.length === 12));
    const keyIds = clients[0]!.frames.map((f) => decodeTopicHeader(f).keyId);
    expect(new Set(keyIds).size).toBeGreaterThanOrEqual(4);
    const perKey = new Map<number, number>();
    for (const id of keyIds) perKey.set(id, (perKey.get(id) ?? 0) + 1);
    expect(Math.max(...perKey.values())).toBeLessThanOrEqual(4);
    const rotations = await hub.metrics.registry.getSingleMetricAsString('hub_key_rotations_total');
    expect(rotations).toMatch(/reason="timer"} 1/);
    expect(rotations).toMatch(/reason="frame_limit"} [2-9]/);
  });

  it('moves both directions of the session key to new generations (rekey) without a hitch', async () => {
    const { bus, hub } = await setup({ rekeyAfter: 3 });
    const topic = topics.catalog('1');
    const generations = new Set<number>();
    const client = hub.client(await fx.token(), {
      rekeyAfter: 2,
      onRawFrame: (bytes) => {
        if (bytes[1] === FrameType.sealed) generations.add(decodeSealedHeader(bytes).generation);
      },
    });
    const events: HubEvent[] = [];
    let confirmed = 0;
    client.on('event', (e) => events.push(e));
    client.on('subscribed', () => confirmed++);
    await client.connect();
    stops.push(async () => client.close());
    for (const station of ['1', '2', '3', '4']) client.subscribe(topics.kitchen('1', '2', station));
    client.subscribe(topic);
    await until(() => confirmed === 5);
    await bus.publish([makeEvent(topic), makeEvent(topic)]);
    await until(() => events.length === 2);
    expect(client.state).toBe('connected'); // the server accepted five client messages over three generations
    expect([...generations].sort()).toEqual([0, 1, 2, 3]); // ten server messages, three per generation
  });
});
