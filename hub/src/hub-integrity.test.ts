import { topics } from '@commerce/common';
import { testKeyPrefix, testRedisUrl } from '@commerce/infra/testing';
import type { HubClientOptions } from '@commerce/sdk';
import { nodeTopicCipher } from '@commerce/sdk/node';
import {
  CloseCode,
  decodePlain,
  encodePlain,
  FrameType,
  generateEphemeral,
  PROTOCOL_VERSION,
  toBase64Url,
} from '@commerce/sdk/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent } from './bus/bus-contract.ts';
import { RedisBus } from './bus/redis-bus.ts';
import type { Hub } from './create-hub.ts';
import { ecKeyPair, hubFixture, type RecordedClient, seqs, until } from './testing/hub-fixture.ts';
import { wsProxy } from './testing/proxies.ts';
import { rawSession, rawSocket } from './testing/raw-session.ts';

// Must show: forged, replayed, tampered, garbage and oversized traffic is rejected or closed with
// the documented code, and the hub keeps serving everyone else (real port, real Redis).
let fx: Awaited<ReturnType<typeof hubFixture>>;
let bus: RedisBus;
let hub: Hub;
let bystander: RecordedClient;
const bystanderTopic = topics.stock('1');
let published = 0;

beforeAll(async () => {
  fx = await hubFixture();
  bus = new RedisBus({ url: testRedisUrl(), keyPrefix: testKeyPrefix(), historyMax: 5000, dedupeWindow: 10000 });
  await bus.start();
  hub = await fx.startHub(bus, {
    maxMessageBytes: 4096,
    clientRatePerS: 10,
    clientBurst: 20,
    handshakeTimeoutMs: 300,
    sweepMs: 50,
    maxBackpressureBytes: 64 * 1024,
  });
  bystander = fx.client(hub, await fx.token({ id: '99' }));
  await bystander.connect();
  bystander.subscribe(bystanderTopic);
  await until(() => bystander.seen.subscribed.length === 1);
});
afterAll(async () => {
  await fx.close();
  await bus.stop();
});

/** Everyone else is still served: one more event reaches the bystander, in order. */
async function bystanderStillServed() {
  published++;
  await bus.publish([makeEvent(bystanderTopic)]);
  await until(() => bystander.seen.events.length === published, 5_000, 'bystander event');
  expect(seqs(bystander)).toEqual(Array.from({ length: published }, (_, i) => i + 1));
  expect(bystander.state).toBe('connected');
}

const isTopicFrame = (bytes: Uint8Array) => bytes[1] === FrameType.topic;

/**
 * Subscribes through a man in the middle, publishes five events (one bus call each, so one frame
 * each, unless `batches` groups them into calls whose events share a frame), returns what the SDK saw.
 */
async function throughProxy(
  rewrite: (frame: Uint8Array, topicFrameNo: number) => Uint8Array[],
  batches = [1, 1, 1, 1, 1],
  options: Partial<HubClientOptions> = {},
) {
  let topicFrameNo = 0;
  const proxy = await wsProxy(`ws://127.0.0.1:${hub.port}/ws`, (bytes) =>
    isTopicFrame(bytes) ? rewrite(bytes, ++topicFrameNo) : [bytes],
  );
  const topic = topics.kitchen('1', '2', String(100 + published));
  const client = fx.client(hub, await fx.token(), { url: proxy.url, ...options });
  await client.connect();
  client.subscribe(topic);
  await until(() => client.seen.subscribed.length === 1);
  const events = Array.from({ length: 5 }, (_, i) => makeEvent(topic, `${topic}-${i}`));
  for (let i = 0, b = 0; b < batches.length; i += batches[b]!, b++) {
    await bus.publish(events.slice(i, i + batches[b]!));
    // notifications that reach the hub in one socket read share a frame: wait for this call's
    // frame before the next call, so frame numbers match calls on a loaded machine too
    await until(() => topicFrameNo > b, 5_000, `frame ${b + 1} at the proxy`);
  }
  await until(() => client.seen.events.length >= 5, 5_000, 'five events through the proxy');
  await new Promise((r) => setTimeout(r, 50));
  client.close();
  await proxy.close();
  return { client, topic };
}

describe('frames from the server side that fail a check', () => {
  it('rejects a tampered ciphertext and still delivers every event once, in order (from history)', async () => {
    const { client, topic } = await throughProxy((frame, n) => {
      if (n !== 2) return [frame];
      const tampered = frame.slice();
      tampered[tampered.length - 20]! ^= 0x01;
      return [tampered];
    });
    expect(client.seen.rejected).toContainEqual({ reason: 'tampered', topic });
    expect(client.seen.events.map((e) => e.event.id)).toEqual([0, 1, 2, 3, 4].map((i) => `${topic}-${i}`));
    expect(client.seen.events.filter((e) => e.replayed).map((e) => e.position.seq)).toContain(2);
    await bystanderStillServed();
  });

  it('rejects the same tampered ciphertext with the node:crypto cipher (@commerce/sdk/node)', async () => {
    const { client, topic } = await throughProxy(
      (frame, n) => {
        if (n !== 3) return [frame];
        const tampered = frame.slice();
        tampered[tampered.length - 3]! ^= 0x40; // inside the tag
        return [tampered];
      },
      [1, 1, 1, 1, 1],
      { topicCipher: nodeTopicCipher },
    );
    expect(client.seen.rejected).toContainEqual({ reason: 'tampered', topic });
    expect(client.seen.events.map((e) => e.event.id)).toEqual([0, 1, 2, 3, 4].map((i) => `${topic}-${i}`));
    expect(client.seen.events.filter((e) => e.replayed).map((e) => e.position.seq)).toContain(3);
    await bystanderStillServed();
  });

  it('rejects a multi-event frame whose count was changed and recovers all its events', async () => {
    const { client, topic } = await throughProxy(
      (frame, n) => {
        if (n !== 1) return [frame];
        const fewer = frame.slice();
        const countAt = 24 + fewer[14]!; // low byte of the u16 count after the epoch and the seq
        expect(fewer[countAt]).toBe(3);
        fewer[countAt] = 2;
        return [fewer];
      },
      [3, 2],
    );
    expect(client.seen.rejected).toContainEqual({ reason: 'tampered', topic });
    expect(client.seen.events.map((e) => e.event.id)).toEqual([0, 1, 2, 3, 4].map((i) => `${topic}-${i}`));
    expect(seqs(client, topic)).toEqual([1, 2, 3, 4, 5]);
    await bystanderStillServed();
  });

  it('rejects replayed frames (a frame sent again, an old frame later)', async () => {
    let first: Uint8Array | undefined;
    const { client, topic } = await throughProxy((frame, n) => {
      if (n === 1) first = frame;
      if (n === 2) return [frame, frame];
      if (n === 4 && first) return [frame, first];
      return [frame];
    });
    expect(client.seen.rejected.filter((r) => r.reason === 'replayed')).toHaveLength(2);
    expect(seqs(client, topic)).toEqual([1, 2, 3, 4, 5]);
    await bystanderStillServed();
  });

  it('rejects a frame with a wrong key id and recovers the event', async () => {
    const { client, topic } = await throughProxy((frame, n) => {
      if (n !== 3) return [frame];
      const wrong = frame.slice();
      wrong[9]! ^= 0x55;
      return [wrong];
    });
    expect(client.seen.rejected).toContainEqual({ reason: 'unknown_key', topic });
    expect(seqs(client, topic)).toEqual([1, 2, 3, 4, 5]);
    await bystanderStillServed();
  });

  it('refuses a server whose signing key is not the pinned one (4601) and does not retry', async () => {
    const impostorPin = ecKeyPair().publicKey;
    const client = fx.client(hub, await fx.token(), { serverKeys: [impostorPin] });
    await expect(client.connect()).rejects.toThrow(/failed: 4601/);
    expect(client.seen.errors).toContainEqual(
      expect.objectContaining({ code: `closed_${CloseCode.pinningFailed}`, fatal: true }),
    );
    expect(client.seen.events).toEqual([]);
    await bystanderStillServed();
  });
});

describe('client traffic that breaks the protocol', () => {
  const url = () => `ws://127.0.0.1:${hub.port}/ws`;

  it('closes garbage, a wrong version byte and text frames with 4000', async () => {
    for (const payload of [new Uint8Array([0xde, 0xad, 0xbe, 0xef]), new Uint8Array([2, 1, 0x7b, 0x7d]), 'hello']) {
      const socket = await rawSocket(url());
      socket.send(payload);
      expect((await socket.closing).code).toBe(CloseCode.protocolError);
    }
    await bystanderStillServed();
  });

  it('closes a text frame with 4000 even when its bytes are a valid hello', async () => {
    const ephemeral = await generateEphemeral();
    const hello = encodePlain({
      t: 'hello',
      v: PROTOCOL_VERSION,
      clientKey: toBase64Url(ephemeral.publicRaw),
      token: await fx.token(),
    });
    // the same bytes in a binary frame are welcomed: only the frame type differs below
    const binary = await rawSocket(url());
    binary.send(hello);
    expect(decodePlain(await binary.next())).toMatchObject({ t: 'welcome' });
    binary.ws.close();
    const text = await rawSocket(url());
    const asText = new TextDecoder().decode(hello);
    expect(new TextEncoder().encode(asText)).toEqual(hello); // valid UTF-8: uWS hands it on as text
    text.send(asText);
    const closed = await Promise.race([text.closing, new Promise((r) => setTimeout(() => r('still open'), 5_000))]);
    expect(closed).toMatchObject({ code: CloseCode.protocolError });
    expect(text.inbox).toEqual([]); // no welcome: the bytes were never parsed
    await bystanderStillServed();
  });

  it('closes an oversized message with 1009', async () => {
    const socket = await rawSocket(url());
    socket.send(new Uint8Array(4097).fill(1));
    expect((await socket.closing).code).toBe(CloseCode.messageTooBig);
    await bystanderStillServed();
  });

  it('closes a replayed or tampered sealed client message with 4004', async () => {
    const replaying = await rawSession(url(), await fx.token());
    const ping = await replaying.sendSealed({ t: 'ping', ts: 1 });
    await replaying.expect('pong');
    replaying.socket.send(ping);
    expect((await replaying.socket.closing).code).toBe(CloseCode.integrityFailure);

    const tampering = await rawSession(url(), await fx.token());
    const forged = await tampering.seal({ t: 'sub', rid: 1, topic: bystanderTopic });
    forged[forged.length - 1]! ^= 0x80;
    tampering.socket.send(forged);
    expect((await tampering.socket.closing).code).toBe(CloseCode.integrityFailure);
    await bystanderStillServed();
  });

  it('closes a flooding client with 4029 and a silent one with 4005', async () => {
    const flooder = await rawSession(url(), await fx.token());
    for (let i = 0; i < 40; i++) await flooder.sendSealed({ t: 'ping', ts: i });
    expect((await flooder.socket.closing).code).toBe(CloseCode.rateLimited);
    const silent = await rawSocket(url());
    expect((await silent.closing).code).toBe(CloseCode.handshakeTimeout);
    await bystanderStillServed();
  });

  it('cuts off a terminal that stops reading at the backpressure limit with 4008', async () => {
    const slow = await rawSession(url(), await fx.token());
    const topic = topics.catalog('1');
    await slow.sendSealed({ t: 'sub', rid: 1, topic });
    await slow.expect('subscribed');
    const tcp = (slow.socket.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    tcp.pause();
    const pad = 'x'.repeat(8_000);
    const cutOff = async () => (await hub.metricsText()).includes('hub_slow_disconnects_total 1');
    for (let batch = 0; batch < 30 && !(await cutOff()); batch++) {
      await bus.publish(Array.from({ length: 50 }, () => makeEvent(topic, undefined, { pad })));
    }
    await until(cutOff, 5_000, 'slow disconnect');
    expect(await hub.metricsText()).toMatch(/hub_drops_total [1-9]/);
    tcp.resume();
    const closed = await slow.socket.closing;
    expect(closed.code).toBe(CloseCode.slowConsumer);
    await bystanderStillServed();
  });
});
