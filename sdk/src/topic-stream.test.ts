import { describe, expect, it } from 'vitest';
import { type StreamEntry, TopicStream } from './topic-stream.ts';
import type { Position } from './wire/messages.ts';

function harness(initial?: Position) {
  const log = { delivered: [] as string[], resyncs: [] as Position[], duplicates: 0, epochChanges: 0 };
  const stream = new TopicStream<string>(
    {
      deliver: (entry, replayed) => log.delivered.push(`${entry.epoch}:${entry.seq}${replayed ? 'r' : ''}`),
      resync: (since) => log.resyncs.push(since),
      duplicate: () => log.duplicates++,
      epochChanged: () => log.epochChanges++,
    },
    initial,
  );
  return { stream, log };
}
const e = (seq: number, epoch = 'A'): StreamEntry<string> => ({ epoch, seq, event: `ev${seq}` });

describe('TopicStream', () => {
  it('buffers live frames until the subscription is confirmed, then continues from the head', () => {
    const { stream, log } = harness();
    stream.live(e(5));
    stream.live(e(6));
    stream.confirmed({ epoch: 'A', seq: 5 }, null);
    stream.live(e(7));
    expect(log.delivered).toEqual(['A:6', 'A:7']);
  });

  it('fills a reconnect gap from replayed entries, drops overlaps, and keeps order', () => {
    const { stream, log } = harness({ epoch: 'A', seq: 3 });
    stream.subscribing();
    stream.live(e(6)); // live frames can overtake the replay
    stream.replayed(e(4));
    stream.replayed(e(5));
    stream.live(e(5));
    stream.confirmed({ epoch: 'A', seq: 5 }, true);
    stream.live(e(7));
    expect(log.delivered).toEqual(['A:4r', 'A:5r', 'A:6', 'A:7']);
    expect(log.resyncs).toEqual([]);
  });

  it('asks for a resync on a gap while live and delivers the held frame after the fill', () => {
    const { stream, log } = harness();
    stream.confirmed({ epoch: 'A', seq: 0 }, null);
    stream.live(e(1));
    stream.live(e(3));
    expect(log.resyncs).toEqual([{ epoch: 'A', seq: 1 }]);
    stream.live(e(4));
    stream.replayed(e(2));
    stream.replayed(e(3));
    stream.confirmed({ epoch: 'A', seq: 3 }, true);
    expect(log.delivered).toEqual(['A:1', 'A:2r', 'A:3r', 'A:4']);
  });

  it('reports duplicates while live and never delivers a position twice', () => {
    const { stream, log } = harness();
    stream.confirmed({ epoch: 'A', seq: 0 }, null);
    stream.live(e(1));
    stream.live(e(1));
    stream.live(e(2));
    expect(log.delivered).toEqual(['A:1', 'A:2']);
    expect(log.duplicates).toBe(1);
  });

  it('takes the head as the new baseline after recovered:false and flags an epoch change while live', () => {
    const { stream, log } = harness({ epoch: 'A', seq: 10 });
    stream.subscribing();
    stream.confirmed({ epoch: 'B', seq: 4 }, false);
    stream.live(e(5, 'B'));
    expect(log.delivered).toEqual(['B:5']);
    stream.live(e(1, 'C'));
    expect(log.epochChanges).toBe(1);
    expect(stream.last).toEqual({ epoch: 'C', seq: 1 });
  });

  it('resyncs again when a replay stops short of the head', () => {
    const { stream, log } = harness({ epoch: 'A', seq: 1 });
    stream.subscribing();
    stream.replayed(e(2));
    stream.confirmed({ epoch: 'A', seq: 4 }, true);
    expect(log.resyncs).toEqual([{ epoch: 'A', seq: 2 }]);
    expect(stream.pending).toBe(true);
  });
});
