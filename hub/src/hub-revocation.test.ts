import { topics } from '@commerce/common';
import { testKeyPrefix, testRedisUrl } from '@commerce/infra/testing';
import {
  CloseCode,
  decodeTopicHeader,
  FrameType,
  fromBase64,
  importTopicKey,
  openTopicFrame,
  utf8,
} from '@commerce/sdk/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent } from './bus/bus-contract.ts';
import { RedisBus } from './bus/redis-bus.ts';
import type { Hub } from './create-hub.ts';
import { createRevocationList } from './revocation.ts';
import { hubFixture, until } from './testing/hub-fixture.ts';
import { rawSession } from './testing/raw-session.ts';

// Must show: after a subscriber loses access the topic key rotates and it cannot decrypt later frames.
let fx: Awaited<ReturnType<typeof hubFixture>>;
let bus: RedisBus;
let hub: Hub;
const revocations = createRevocationList();

beforeAll(async () => {
  fx = await hubFixture();
  bus = new RedisBus({ url: testRedisUrl(), keyPrefix: testKeyPrefix(), historyMax: 100, dedupeWindow: 200 });
  await bus.start();
  hub = await fx.startHub(bus, { sweepMs: 50, revocationRecheckS: 1 }, revocations);
});
afterAll(async () => {
  await fx.close();
  await bus.stop();
});

const rotations = async (reason: string) => {
  const line = (await hub.metricsText())
    .split('\n')
    .find((l) => l.startsWith(`hub_key_rotations_total{reason="${reason}"}`));
  return line ? Number(line.split(' ')[1]) : 0;
};

/** A terminal that will lose access (raw, so the test holds the topic key it knew) and one that stays (SDK). */
async function twoSubscribers(topic: string, leaverToken: string) {
  const leaver = await rawSession(`ws://127.0.0.1:${hub.port}/ws`, leaverToken);
  await leaver.sendSealed({ t: 'sub', rid: 1, topic });
  const known = await leaver.expect('key');
  await leaver.expect('subscribed');
  const frames: Uint8Array[] = [];
  const stayer = fx.client(hub, await fx.token({ id: '500', roles: ['kitchen'] }), {
    onRawFrame: (bytes) => {
      if (bytes[1] === FrameType.topic) frames.push(bytes);
    },
  });
  await stayer.connect();
  stayer.subscribe(topic);
  await until(() => stayer.seen.subscribed.length === 1);
  return { leaver, known, stayer, frames };
}

/** Publishes one event and checks the stayer reads it while the departed terminal's key cannot. */
async function laterFrameUnreadableWith(
  topic: string,
  known: { keyId: number; key: string },
  stayer: { seen: { events: unknown[] } },
  frames: Uint8Array[],
) {
  const before = stayer.seen.events.length;
  await bus.publish([makeEvent(topic, `after-${topic}`)]);
  await until(() => stayer.seen.events.length === before + 1 && frames.length > 0);
  const frame = decodeTopicHeader(frames.at(-1)!);
  expect(frame.keyId).not.toBe(known.keyId);
  const oldKey = await importTopicKey(fromBase64(known.key));
  await expect(openTopicFrame(oldKey, frame, utf8(topic))).rejects.toMatchObject({ code: 'auth_failed' });
}

describe('loss of access', () => {
  it('revocation pushed to the hub: 4003, key rotated, later frames unreadable with the old key', async () => {
    const topic = topics.kitchen('1', '2', '70');
    const { leaver, known, stayer, frames } = await twoSubscribers(
      topic,
      await fx.token({ id: '70', roles: ['kitchen'] }),
    );
    await bus.publish([makeEvent(topic, 'before')]);
    await until(() => leaver.socket.inbox.some((bytes) => bytes[1] === FrameType.topic));
    const beforeFrame = decodeTopicHeader(leaver.socket.inbox.find((bytes) => bytes[1] === FrameType.topic)!);
    expect(beforeFrame.keyId).toBe(known.keyId); // sanity: the old key did read frames before
    const rotated = await rotations('access_lost');
    revocations.revoke({ subject: { kind: 'terminal', id: '70' } });
    expect(hub.revoke({ subject: { kind: 'terminal', id: '70' } })).toBe(1);
    expect((await leaver.socket.closing).code).toBe(CloseCode.revoked);
    await until(async () => (await rotations('access_lost')) === rotated + 1, 2_000, 'rotation');
    await laterFrameUnreadableWith(topic, known, stayer, frames);
    // and it cannot come back
    await expect(
      rawSession(`ws://127.0.0.1:${hub.port}/ws`, await fx.token({ id: '70', roles: ['kitchen'] })),
    ).rejects.toThrow();
  });

  it('revocation of a terminal that already disconnected rotates the key it was handed', async () => {
    const topic = topics.kitchen('1', '2', '75');
    const { leaver, known, stayer, frames } = await twoSubscribers(
      topic,
      await fx.token({ id: '75', roles: ['kitchen'] }),
    );
    leaver.socket.ws.close();
    await leaver.socket.closing;
    await until(() => ![...hub.core.sessions].some((s) => s.principal?.id === '75'), 2_000, 'session gone');
    const channel = [...hub.registry.channels()].find((c) => c.name === topic)!;
    const rotated = await rotations('access_lost');
    // a plain disconnect keeps the key, and a revocation of someone who never held it changes nothing
    expect(hub.revoke({ subject: { kind: 'terminal', id: '76' } })).toBe(0);
    await channel.settled();
    expect(channel.keyId).toBe(known.keyId);
    expect(await rotations('access_lost')).toBe(rotated);
    // revoked while offline: no session to end, but the key it knows must not seal another frame
    expect(hub.revoke({ subject: { kind: 'terminal', id: '75' } })).toBe(0);
    await until(async () => (await rotations('access_lost')) === rotated + 1, 2_000, 'rotation');
    await laterFrameUnreadableWith(topic, known, stayer, frames);
  });

  it('revocation found by the periodic re-check ends the session the same way', async () => {
    const topic = topics.kitchen('1', '2', '71');
    const { leaver, known, stayer, frames } = await twoSubscribers(
      topic,
      await fx.token({ id: '71', roles: ['kitchen'] }),
    );
    revocations.revoke({ subject: { kind: 'terminal', id: '71' } });
    expect((await leaver.socket.closing).code).toBe(CloseCode.revoked);
    await laterFrameUnreadableWith(topic, known, stayer, frames);
  });

  it('token expiry ends the session with 4002 and rotates the key', async () => {
    const topic = topics.kitchen('1', '2', '72');
    const shortLived = await fx.sign({
      kind: 'terminal',
      id: '72',
      merchantId: '1',
      roles: ['kitchen'],
      // exp has whole seconds, so 1 s can run out before the leaver has subscribed on a busy machine
      ttlSeconds: 3,
    });
    const { leaver, known, stayer, frames } = await twoSubscribers(topic, shortLived);
    expect((await leaver.socket.closing).code).toBe(CloseCode.tokenExpired);
    await laterFrameUnreadableWith(topic, known, stayer, frames);
  });

  it('a refreshed token with fewer rights drops the topic (access_lost) and rotates; another subject is refused', async () => {
    const topic = topics.kitchen('1', '2', '73');
    const { leaver, known, stayer, frames } = await twoSubscribers(
      topic,
      await fx.token({ id: '73', roles: ['kitchen'] }),
    );
    await leaver.sendSealed({ t: 'auth', rid: 2, token: await fx.token({ id: '73', roles: ['cashier'] }) });
    expect(await leaver.expect('unsubscribed')).toMatchObject({ topic, reason: 'access_lost' });
    expect(await leaver.expect('authed')).toMatchObject({ rid: 2 });
    await laterFrameUnreadableWith(topic, known, stayer, frames);
    await leaver.sendSealed({ t: 'auth', rid: 3, token: await fx.token({ id: '74', roles: ['kitchen'] }) });
    expect((await leaver.socket.closing).code).toBe(CloseCode.unauthenticated);
  });
});

describe('token refresh by the SDK', () => {
  it('replaces a short-lived token before it expires, so the session outlives the first token', async () => {
    let issued = 0;
    const client = fx.client(hub, '', {
      token: () =>
        fx.sign({
          kind: 'terminal',
          id: '80',
          merchantId: '1',
          roles: ['kitchen'],
          ttlSeconds: issued++ === 0 ? 2 : 600,
        }),
    });
    await client.connect();
    const topic = topics.kitchen('1', '2', '80');
    client.subscribe(topic);
    await until(() => client.seen.subscribed.length === 1);
    await new Promise((r) => setTimeout(r, 2_500));
    expect(issued).toBe(2);
    expect(client.state).toBe('connected');
    expect(client.seen.states.filter((s) => s.state === 'reconnecting')).toEqual([]);
    await bus.publish([makeEvent(topic)]);
    await until(() => client.seen.events.length === 1);
  });
});
