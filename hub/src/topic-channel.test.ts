import { createLogger } from '@commerce/common';
import { decodeTopicHeader, fromBase64, importTopicKey, openTopicFrame, parseTopicEvents } from '@commerce/sdk/wire';
import { describe, expect, it } from 'vitest';
import type { BusEntry } from './bus/bus.ts';
import { makeEvent } from './bus/bus-contract.ts';
import { createHubMetrics } from './metrics.ts';
import type { Session } from './session.ts';
import { TopicChannel } from './topic-channel.ts';

// The channel alone: what goes into one frame, and that keys and frames stay in order around tasks.
const topic = 'm:1:b:1:kitchen:1';
type Sent = { kind: 'frame'; bytes: Uint8Array } | { kind: 'key'; keyId: number; key: string };

function channel(settings: { maxEventsPerFrame?: number; maxFramesPerKey?: number } = {}) {
  const sent: Sent[] = [];
  const metrics = createHubMetrics({ connections: () => 0, subscriptions: () => 0, topics: () => 0 });
  const ch = new TopicChannel(topic, 7, {
    fanout: { publish: (_, bytes) => sent.push({ kind: 'frame', bytes }), subscriberCount: () => 1 },
    metrics,
    logger: createLogger('test', 'silent'),
    maxFramesPerKey: settings.maxFramesPerKey ?? 1000,
    maxEventsPerFrame: settings.maxEventsPerFrame ?? 64,
    now: Date.now,
  });
  const session = {
    open: true,
    conn: { closed: false, subscribe() {}, unsubscribe() {} },
    sendSealed: async (message: { t: string; keyId: number; key: string }) => {
      sent.push({ kind: 'key', keyId: message.keyId, key: message.key });
      return true;
    },
  } as unknown as Session;
  return { ch, sent, session };
}

const entry = (seq: number, epoch = 'e1'): BusEntry => {
  const event = makeEvent(topic, `id-${seq}`);
  return { topic, epoch, seq, event, json: JSON.stringify(event) };
};
const frames = (sent: Sent[]) =>
  sent.flatMap((s) => (s.kind === 'frame' ? [decodeTopicHeader(s.bytes)] : [])).map((h) => [h.epoch, h.seq, h.count]);

async function openAll(sent: Sent[]) {
  const keys = new Map<number, CryptoKey>();
  const out: Array<{ keyId: number; ids: string[] }> = [];
  for (const s of sent) {
    if (s.kind === 'key') keys.set(s.keyId, await importTopicKey(fromBase64(s.key)));
    else {
      const frame = decodeTopicHeader(s.bytes);
      const key = keys.get(frame.keyId);
      if (!key) throw new Error(`frame sealed with key ${frame.keyId} before that key was sent`);
      const events = parseTopicEvents(await openTopicFrame(key, frame, new TextEncoder().encode(topic)), frame.count);
      out.push({ keyId: frame.keyId, ids: events.map((e) => (e as { id: string }).id) });
    }
  }
  return out;
}

describe('topic channel coalescing', () => {
  it('gathers the entries of one turn into one frame and publishes it at the end of the turn', async () => {
    const { ch, sent, session } = channel();
    await ch.join(session);
    await ch.settled();
    for (let seq = 1; seq <= 5; seq++) ch.push(entry(seq));
    expect(frames(sent)).toEqual([]); // nothing yet: the frame closes when this turn ends
    await Promise.resolve();
    expect(frames(sent)).toEqual([['e1', 1, 5]]);
    expect(await openAll(sent)).toEqual([{ keyId: ch.keyId, ids: ['id-1', 'id-2', 'id-3', 'id-4', 'id-5'] }]);
  });

  it('starts a new frame at an epoch change, a gap in positions, or the event limit', async () => {
    const { ch, sent, session } = channel({ maxEventsPerFrame: 3 });
    await ch.join(session);
    await ch.settled();
    for (const e of [entry(1), entry(2), entry(3), entry(4), entry(6), entry(1, 'e2'), entry(2, 'e2')]) ch.push(e);
    await ch.settled();
    expect(frames(sent)).toEqual([
      ['e1', 1, 3],
      ['e1', 4, 1],
      ['e1', 6, 1],
      ['e2', 1, 2],
    ]);
    const counters = sent.flatMap((s) => (s.kind === 'frame' ? [decodeTopicHeader(s.bytes).counter] : []));
    expect(counters).toEqual([0, 1, 2, 3]); // one nonce per frame, never reused
  });

  it('publishes what was gathered before a rotation with the old key, and what follows with the new one', async () => {
    const { ch, sent, session } = channel();
    await ch.join(session);
    await ch.settled();
    const oldKey = ch.keyId;
    ch.push(entry(1));
    ch.push(entry(2));
    const rotated = ch.rotate('access_lost');
    ch.push(entry(3));
    ch.push(entry(4));
    await rotated;
    await ch.settled();
    expect(frames(sent)).toEqual([
      ['e1', 1, 2],
      ['e1', 3, 2],
    ]);
    expect(await openAll(sent)).toEqual([
      { keyId: oldKey, ids: ['id-1', 'id-2'] },
      { keyId: ch.keyId, ids: ['id-3', 'id-4'] },
    ]);
    expect(ch.keyId).not.toBe(oldKey);
  });

  it('rotates after maxFramesPerKey frames, however many events they carry', async () => {
    const { ch, sent, session } = channel({ maxFramesPerKey: 2, maxEventsPerFrame: 2 });
    await ch.join(session);
    await ch.settled();
    for (let seq = 1; seq <= 7; seq++) ch.push(entry(seq));
    await ch.settled();
    const opened = await openAll(sent);
    expect(opened.map((f) => f.ids.length)).toEqual([2, 2, 2, 1]);
    expect(new Set(opened.slice(0, 2).map((f) => f.keyId)).size).toBe(1);
    expect(opened[2]!.keyId).not.toBe(opened[0]!.keyId);
  });

  it('with maxEventsPerFrame 1 seals every event on its own, synchronously', () => {
    const { ch, sent, session } = channel({ maxEventsPerFrame: 1 });
    return ch.join(session).then(async () => {
      await ch.settled();
      ch.push(entry(1));
      ch.push(entry(2));
      expect(frames(sent)).toEqual([
        ['e1', 1, 1],
        ['e1', 2, 1],
      ]);
    });
  });
});
