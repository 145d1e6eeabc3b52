import { AppError, type ChangeBatch, type ChangeEvent, type ChangeSink } from '@commerce/common';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { SinkLanes } from './deliver.ts';

const logger = pino({ level: 'silent' });

function change(position: string): ChangeEvent {
  return {
    source: 'pg',
    table: 'public.orders',
    op: 'c',
    key: { id: position },
    before: null,
    after: { id: position },
    unchanged: [],
    txId: position,
    commitTs: 0,
    position,
  };
}
const batch = (...positions: string[]): ChangeBatch => ({
  events: positions.map(change),
  position: positions[positions.length - 1]!,
});

/** A sink that records what it got and holds each batch until released. */
function gatedSink(name: string) {
  const got: ChangeBatch[] = [];
  const gates: Array<() => void> = [];
  const sink: ChangeSink = {
    name,
    async handle(b) {
      got.push(b);
      await new Promise<void>((resolve) => gates.push(resolve));
    },
  };
  return { sink, got, release: () => gates.shift()?.() };
}

function recordingSink(name: string) {
  const got: ChangeBatch[] = [];
  const sink: ChangeSink = {
    name,
    async handle(b) {
      got.push(b);
    },
  };
  return { sink, got };
}

const tick = () => new Promise((r) => setTimeout(r, 5));

function lanes(sinks: ChangeSink[], maxBatchChanges?: number) {
  return new SinkLanes(sinks, {
    signal: new AbortController().signal,
    logger,
    backoffMs: 1,
    ...(maxBatchChanges ? { maxBatchChanges } : {}),
  });
}

describe('sink lanes', () => {
  it('a slow sink does not hold back another; a batch is accepted only when every sink has it', async () => {
    const bus = recordingSink('bus');
    const search = gatedSink('search');
    const l = lanes([bus.sink, search.sink]);
    const accepted: string[] = [];
    const first = l.submit(batch('1')).then(() => accepted.push('1'));
    const second = l.submit(batch('2')).then(() => accepted.push('2'));
    await tick();
    // the bus got both transactions while search still holds the first
    expect(bus.got.map((b) => b.position)).toEqual(['1', '2']);
    expect(search.got.map((b) => b.position)).toEqual(['1']);
    expect(accepted).toEqual([]);
    search.release();
    await first;
    expect(accepted).toEqual(['1']);
    await tick();
    search.release();
    await second;
    expect(accepted).toEqual(['1', '2']);
  });

  it('a lane that fell behind gets the waiting batches as one, in order, and submissions resolve in order', async () => {
    const search = gatedSink('search');
    const l = lanes([search.sink]);
    const accepted: string[] = [];
    const all = ['1', '2', '3', '4'].map((p) => l.submit(batch(p)).then(() => accepted.push(p)));
    await tick();
    search.release();
    await tick();
    expect(search.got.map((b) => b.events.map((e) => e.position))).toEqual([['1'], ['2', '3', '4']]);
    expect(search.got[1]!.position).toBe('4');
    search.release();
    await Promise.all(all);
    expect(accepted).toEqual(['1', '2', '3', '4']);
  });

  it('merges no more than maxBatchChanges (a bigger batch still goes alone)', async () => {
    const search = gatedSink('search');
    const l = lanes([search.sink], 3);
    const all = [batch('1'), batch('2', '3'), batch('4'), batch('5', '6', '7', '8'), batch('9')].map((b) =>
      l.submit(b),
    );
    for (let i = 0; i < 4; i++) {
      await tick();
      search.release();
    }
    await Promise.all(all);
    expect(search.got.map((b) => b.position)).toEqual(['1', '4', '8', '9']);
  });

  it('retries retriable failures; a non-retriable one fails the batch and everything after it', async () => {
    let attempts = 0;
    const flaky: ChangeSink = {
      name: 'flaky',
      async handle(b) {
        attempts++;
        if (attempts <= 2) throw new AppError('unavailable', 'test.down', 'briefly down');
        if (b.position === '2') throw new Error('a bug');
      },
    };
    const l = lanes([flaky]);
    await l.submit(batch('1'));
    expect(attempts).toBe(3);
    const failed = l.submit(batch('2'));
    const waiting = l.submit(batch('3'));
    await expect(failed).rejects.toThrow('a bug');
    await expect(waiting).rejects.toThrow('a bug');
    await expect(l.submit(batch('4'))).rejects.toThrow('a bug');
  });
});

describe('sink lanes after a failure', () => {
  it('settled() waits for a sink call still running in another lane', async () => {
    const slow = gatedSink('slow');
    const broken: ChangeSink = {
      name: 'broken',
      async handle() {
        throw new Error('a bug');
      },
    };
    const l = lanes([slow.sink, broken]);
    await expect(l.submit(batch('1'))).rejects.toThrow('a bug');
    let settled = false;
    const done = l.settled().then(() => {
      settled = true;
    });
    await tick();
    expect(settled).toBe(false);
    slow.release();
    await done;
    expect(settled).toBe(true);
  });
});
