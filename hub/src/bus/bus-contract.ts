import type { DomainEvent } from '@commerce/common';
import { afterEach, describe, expect, it } from 'vitest';
import type { Bus, BusEntry } from './bus.ts';

/** What the contract needs from an implementation under test. */
export interface BusHarness {
  /** a started bus; every bus made in one test shares the same storage (one process, or one Redis prefix) */
  create(options: { historyMax: number; dedupeWindow: number }): Promise<Bus>;
  /** make the topic's history disappear, as a restart (memory) or data loss (Redis) would */
  loseHistory(bus: Bus, topic: string): Promise<void>;
}

let counter = 0;
export function makeEvent(topic: string, id = `e${++counter}`, extra: Record<string, unknown> = {}): DomainEvent {
  return {
    v: 1,
    type: 'kitchen.ticket.created',
    id,
    merchantId: '1',
    topic,
    entity: { id, ...extra },
    position: `0/${id}`,
    occurredAt: 1_700_000_000_000,
  };
}

/** Waits until `predicate` holds, checking every few ms, failing after a bounded time. */
export async function until(predicate: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** One suite, run against every Bus implementation. */
export function busContract(name: string, harness: BusHarness): void {
  describe(`Bus contract: ${name}`, () => {
    const buses: Bus[] = [];
    let topicNo = 0;
    const topic = () => `m:1:b:1:kitchen:${++topicNo}${Math.floor(Math.random() * 1e6)}`;
    const make = async (historyMax = 100, dedupeWindow = 200) => {
      const bus = await harness.create({ historyMax, dedupeWindow });
      buses.push(bus);
      return bus;
    };
    afterEach(async () => {
      for (const bus of buses.splice(0)) await bus.stop();
    });

    it('delivers published entries to a subscriber once each, in seq order, with one epoch', async () => {
      const bus = await make();
      const t = topic();
      const seen: BusEntry[] = [];
      await bus.subscribe(t, (entry) => seen.push(entry));
      const events = Array.from({ length: 10 }, () => makeEvent(t));
      expect(await bus.publish(events.slice(0, 3))).toEqual({ appended: 3, duplicates: 0 });
      await bus.publish(events.slice(3, 4));
      await bus.publish(events.slice(4));
      await until(() => seen.length >= 10);
      expect(seen.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(seen.map((e) => e.event.id)).toEqual(events.map((e) => e.id));
      expect(new Set(seen.map((e) => e.epoch)).size).toBe(1);
      expect(seen.every((e) => e.topic === t)).toBe(true);
      expect(await bus.head(t)).toEqual({ epoch: seen[0]!.epoch, seq: 10 });
    });

    it('carries each event as its JSON, live and from history', async () => {
      const bus = await make();
      const t = topic();
      const seen: BusEntry[] = [];
      await bus.subscribe(t, (entry) => seen.push(entry));
      // what a naive slice or re-encoding would break: quotes, braces, a key named like the
      // notification's own field, non-ASCII
      const tricky = { note: 'say "hi" }, {"event":1} café 🍜', nested: { list: [1, { a: null }], event: { x: 2 } } };
      const events = [makeEvent(t, undefined, tricky), makeEvent(t)];
      await bus.publish(events);
      await until(() => seen.length >= 2);
      const head = await bus.head(t);
      const history = await bus.history(t, { epoch: head.epoch, seq: 0 });
      expect(history.recovered).toBe(true);
      for (const entries of [seen, history.recovered ? history.entries : []]) {
        expect(entries.map((e) => e.json)).toEqual(events.map((e) => JSON.stringify(e)));
        expect(entries.map((e) => e.event)).toEqual(events);
      }
    });

    it('keeps one sequence per topic when a batch mixes topics', async () => {
      const bus = await make();
      const [a, b] = [topic(), topic()];
      const result = await bus.publish([makeEvent(a), makeEvent(b), makeEvent(a), makeEvent(a), makeEvent(b)]);
      expect(result).toEqual({ appended: 5, duplicates: 0 });
      expect((await bus.head(a)).seq).toBe(3);
      expect((await bus.head(b)).seq).toBe(2);
    });

    it('skips a replayed event id: nothing appended twice, subscribers see it once', async () => {
      const bus = await make();
      const t = topic();
      const seen: BusEntry[] = [];
      await bus.subscribe(t, (entry) => seen.push(entry));
      const batch = Array.from({ length: 5 }, () => makeEvent(t));
      await bus.publish(batch);
      const fresh = [makeEvent(t), makeEvent(t)];
      expect(await bus.publish([...batch, ...fresh])).toEqual({ appended: 2, duplicates: 5 });
      await until(() => seen.length >= 7);
      const head = await bus.head(t);
      const history = await bus.history(t, { epoch: head.epoch, seq: 0 });
      expect(history.recovered && history.entries.map((e) => e.event.id)).toEqual(
        [...batch, ...fresh].map((e) => e.id),
      );
      await new Promise((r) => setTimeout(r, 30));
      expect(seen.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    });

    it('remembers ids for the whole dedupe window, beyond the retained history', async () => {
      const bus = await make(5, 20);
      const t = topic();
      const events = Array.from({ length: 12 }, () => makeEvent(t));
      await bus.publish(events);
      expect(await bus.publish([events[1]!])).toEqual({ appended: 0, duplicates: 1 });
      expect((await bus.head(t)).seq).toBe(12);
    });

    it('returns exactly the entries after a position, bounded by the limit', async () => {
      const bus = await make();
      const t = topic();
      const events = Array.from({ length: 10 }, () => makeEvent(t));
      await bus.publish(events);
      const { epoch } = await bus.head(t);
      const after4 = await bus.history(t, { epoch, seq: 4 });
      expect(after4).toMatchObject({ recovered: true, head: { epoch, seq: 10 } });
      expect(after4.recovered && after4.entries.map((e) => [e.seq, e.event.id])).toEqual(
        events.slice(4).map((e, i) => [i + 5, e.id]),
      );
      const limited = await bus.history(t, { epoch, seq: 4 }, 3);
      expect(limited.recovered && limited.entries.map((e) => e.seq)).toEqual([5, 6, 7]);
      const atHead = await bus.history(t, { epoch, seq: 10 });
      expect(atHead).toEqual({ recovered: true, entries: [], head: { epoch, seq: 10 } });
      const fromStart = await bus.history(t, { epoch: '', seq: 0 });
      expect(fromStart.recovered && fromStart.entries.length).toBe(10);
    });

    it('says recovered:false when the asked entries were trimmed', async () => {
      const bus = await make(5, 10);
      const t = topic();
      await bus.publish(Array.from({ length: 12 }, () => makeEvent(t)));
      const { epoch } = await bus.head(t);
      expect(await bus.history(t, { epoch, seq: 2 })).toEqual({
        recovered: false,
        reason: 'trimmed',
        head: { epoch, seq: 12 },
      });
      expect((await bus.history(t, { epoch, seq: 6 })).recovered).toBe(false);
      const kept = await bus.history(t, { epoch, seq: 7 });
      expect(kept.recovered && kept.entries.map((e) => e.seq)).toEqual([8, 9, 10, 11, 12]);
    });

    it('says recovered:false when the epoch changed (history lost) or the position is ahead of the head', async () => {
      const bus = await make();
      const t = topic();
      await bus.publish([makeEvent(t), makeEvent(t), makeEvent(t)]);
      const before = await bus.head(t);
      expect((await bus.history(t, { epoch: before.epoch, seq: 99 })).recovered).toBe(false);
      expect(await bus.history(t, { epoch: before.epoch, seq: 99 })).toMatchObject({ reason: 'ahead_of_head' });
      await harness.loseHistory(bus, t);
      await bus.publish([makeEvent(t), makeEvent(t)]);
      const after = await bus.head(t);
      expect(after.seq).toBe(2);
      expect(after.epoch).not.toBe(before.epoch);
      expect(await bus.history(t, { epoch: before.epoch, seq: 3 })).toEqual({
        recovered: false,
        reason: 'epoch_changed',
        head: after,
      });
    });

    it('serves two subscribers, on one bus or two, each everything in order; unsubscribe stops delivery', async () => {
      const writer = await make();
      const reader = await make();
      const t = topic();
      const first: number[] = [];
      const second: number[] = [];
      const stopFirst = await writer.subscribe(t, (e) => first.push(e.seq));
      await reader.subscribe(t, (e) => second.push(e.seq));
      await writer.publish(Array.from({ length: 5 }, () => makeEvent(t)));
      await until(() => first.length >= 5 && second.length >= 5);
      await stopFirst();
      await writer.publish(Array.from({ length: 3 }, () => makeEvent(t)));
      await until(() => second.length >= 8);
      expect(second).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(first).toEqual([1, 2, 3, 4, 5]);
    });

    it('reports seq 0 for a topic nothing was published to', async () => {
      const bus = await make();
      expect((await bus.head(topic())).seq).toBe(0);
    });
  });
}
