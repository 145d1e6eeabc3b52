import type { ChangeBatch, ChangeEvent, ChangeSink } from '@commerce/common';
import { AppError } from '@commerce/common';
import { createTestDatabase } from '@commerce/infra/testing';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCdcMetrics } from '../metrics.ts';
import { parsePgPosition } from './lsn.ts';
import { createPgSource, type PgSource } from './pg-source.ts';

const db = await createTestDatabase();
const logger = pino({ level: 'silent' });
afterAll(() => db.drop());

beforeAll(async () => {
  await db.sql.unsafe(`
    create table cdc_types (
      id bigint primary key, i2 smallint, i4 integer, i8 bigint, num numeric, b boolean, t text,
      vc varchar(20), ch char(3), u uuid, e staff_role, j json, jb jsonb, tstz timestamptz,
      ts timestamp, d date, tm time, f8 float8, ints integer[], texts text[], roles staff_role[],
      stamps timestamptz[], big text);
    create table cdc_full (id bigint primary key, label text, big text);
    alter table cdc_full replica identity full;
    alter table cdc_full alter column big set storage external;
    alter table cdc_types alter column big set storage external;
    alter publication commerce_cdc add table cdc_types, cdc_full;`);
});

function recordingSink(name = 'recording') {
  const batches: ChangeBatch[] = [];
  const sink: ChangeSink & { batches: ChangeBatch[]; events: () => ChangeEvent[] } = {
    name,
    batches,
    events: () => batches.flatMap((b) => b.events),
    async handle(batch) {
      batches.push(structuredClone(batch));
    },
  };
  return sink;
}

async function waitFor<T>(probe: () => T | undefined | false, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function source(
  slot: string,
  sinks: ChangeSink[],
  extra: Partial<Parameters<typeof createPgSource>[0]> = {},
): PgSource {
  return createPgSource({
    databaseUrl: db.url,
    sql: db.sql,
    slot,
    publication: 'commerce_cdc',
    sinks,
    logger,
    metrics: createCdcMetrics(),
    ...extra,
  });
}

async function confirmedFlush(slot: string): Promise<string | null> {
  const [row] = await db.sql<{ lsn: string | null }[]>`
    select confirmed_flush_lsn::text as lsn from pg_replication_slots where slot_name = ${slot}`;
  return row?.lsn ?? null;
}

describe('pgoutput source on real commits', () => {
  it('normalizes every column type losslessly', async () => {
    const sink = recordingSink();
    const src = source('cdc_values', [sink]);
    await src.start();
    try {
      const big = 'x'.repeat(100_000);
      await db.sql.unsafe(`
        insert into cdc_types values (
          9007199254740993, -32768, 2147483647, 9223372036854775807, 12345678901234567890.123456789,
          true, 'hé "quoted"', 'short', 'USD', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'kitchen',
          '{"a":[1,2,{"b":null}]}', '{"n": 1.5, "s": "x"}', '2026-11-22 10:15:30.123456+02',
          '2026-11-22 10:15:30', '2026-11-22', '07:08:09.5', 0.1, '{1,NULL,3}', '{"a b","c\\"d",NULL}',
          '{owner,kitchen}', '{"2026-01-01 00:00:00+00"}', '${big}')`);
      await db.sql`update cdc_types set t = 'changed' where id = 9007199254740993`;
      const events = await waitFor(() => sink.events().length >= 2 && sink.events(), 'two changes');
      const [insert, update] = events as [ChangeEvent, ChangeEvent];
      expect(insert).toMatchObject({ source: 'pg', table: 'public.cdc_types', op: 'c', before: null, unchanged: [] });
      expect(insert.key).toEqual({ id: '9007199254740993' });
      expect(insert.after).toEqual({
        id: '9007199254740993',
        i2: -32768,
        i4: 2147483647,
        i8: '9223372036854775807',
        num: '12345678901234567890.123456789',
        b: true,
        t: 'hé "quoted"',
        vc: 'short',
        ch: 'USD',
        u: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
        e: 'kitchen',
        j: { a: [1, 2, { b: null }] },
        jb: { n: 1.5, s: 'x' },
        tstz: '2026-11-22T08:15:30.123456Z',
        ts: '2026-11-22T10:15:30.000000Z',
        d: '2026-11-22',
        tm: '07:08:09.500000',
        f8: 0.1,
        ints: [1, null, 3],
        texts: ['a b', 'c"d', null],
        roles: ['owner', 'kitchen'],
        stamps: ['2026-01-01T00:00:00.000000Z'],
        big,
      });
      expect(typeof insert.txId).toBe('string');
      expect(insert.commitTs).toBeGreaterThan(Date.now() - 60_000);
      // REPLICA IDENTITY DEFAULT: the unchanged TOAST value is not sent, so it is listed instead
      expect(update.op).toBe('u');
      expect(update.before).toBeNull();
      expect(update.unchanged).toEqual(['big']);
      expect(update.after).not.toHaveProperty('big');
      expect(update.after?.t).toBe('changed');
    } finally {
      await src.stop();
    }
  });

  it('keeps whole transactions in commit order, keys FULL tables by primary key, and maps truncate', async () => {
    const sink = recordingSink();
    const src = source('cdc_tx', [sink]);
    await src.start();
    try {
      const big = 'y'.repeat(50_000);
      await db.sql.begin(async (tx) => {
        await tx`insert into cdc_full values (1, 'one', ${big})`;
        await tx`insert into cdc_full values (2, 'two', 'small')`;
      });
      await db.sql`update cdc_full set label = 'uno' where id = 1`;
      await db.sql`delete from cdc_full where id = 2`;
      await db.sql`truncate cdc_full`;
      const events = await waitFor(() => sink.events().length >= 5 && sink.events(), 'five changes');
      expect(events.map((e) => `${e.op}:${JSON.stringify(e.key)}`)).toEqual([
        'c:{"id":"1"}',
        'c:{"id":"2"}',
        'u:{"id":"1"}',
        'd:{"id":"2"}',
        't:null',
      ]);
      // the first two share a transaction, each later statement is its own
      expect(events[0]!.txId).toBe(events[1]!.txId);
      expect(new Set(events.map((e) => e.txId)).size).toBe(4);
      // FULL identity: the unchanged TOAST value comes from the old row, nothing is left out
      expect(events[2]!.before).toEqual({ id: '1', label: 'one', big });
      expect(events[2]!.after).toEqual({ id: '1', label: 'uno', big });
      expect(events[2]!.unchanged).toEqual([]);
      expect(events[3]!.before).toEqual({ id: '2', label: 'two', big: 'small' });
      expect(events[4]).toMatchObject({ table: 'public.cdc_full', op: 't', before: null, after: null });
      // positions strictly increase; a batch's position is its last event's
      const positions = events.map((e) => e.position);
      expect([...positions].sort()).toEqual(positions);
      expect(new Set(positions).size).toBe(positions.length);
      for (const batch of sink.batches) expect(batch.position).toBe(batch.events.at(-1)!.position);
      expect(parsePgPosition(events[1]!.position).index).toBe(1);
    } finally {
      await src.stop();
    }
  });

  it('confirms a transaction only after every sink accepted it, retrying retriable failures', async () => {
    const first = recordingSink('first');
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let attempts = 0;
    const seen: string[] = [];
    const slow: ChangeSink = {
      name: 'slow',
      async handle(batch) {
        attempts++;
        if (attempts <= 2) throw new AppError('unavailable', 'test.down', 'sink briefly down');
        seen.push(batch.position);
        await gate;
      },
    };
    const src = source('cdc_ack', [first, slow], {});
    await src.start();
    try {
      await db.sql`insert into cdc_full values (10, 'ack', 'v')`;
      const position = await waitFor(() => seen[0], 'the slow sink to get the batch');
      const { commitEndLsn } = parsePgPosition(position);
      expect(attempts).toBe(3);
      expect(first.events().map((e) => e.position)).toContain(position);
      // the first sink has it, the second has not finished: the slot must not move past it
      await new Promise((r) => setTimeout(r, 200));
      expect(lsnValue(await confirmedFlush('cdc_ack'))).toBeLessThan(commitEndLsn);
      release();
      const deadline = Date.now() + 10_000;
      while (lsnValue(await confirmedFlush('cdc_ack')) < commitEndLsn) {
        if (Date.now() > deadline) throw new Error('slot never confirmed the delivered transaction');
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(src.ackedLsn).toBeGreaterThanOrEqual(commitEndLsn);
    } finally {
      release();
      await src.stop();
    }
  });

  it('a slow sink does not hold back the next transaction for the others; the slot waits for the slowest', async () => {
    const fast = recordingSink('bus');
    const gates: Array<() => void> = [];
    const slowSeen: string[][] = [];
    const slow: ChangeSink = {
      name: 'search',
      async handle(batch) {
        slowSeen.push(batch.events.map((e) => e.position));
        await new Promise<void>((r) => gates.push(r));
      },
    };
    const src = source('cdc_lanes', [fast, slow], {});
    await src.start();
    try {
      await db.sql`insert into cdc_full values (130, 'lane 1', 'v')`;
      const first = await waitFor(() => slowSeen[0]?.[0], 'the slow sink to hold the first transaction');
      await db.sql`insert into cdc_full values (131, 'lane 2', 'v')`;
      await db.sql`insert into cdc_full values (132, 'lane 3', 'v')`;
      // the fast sink gets the later transactions while the slow one still holds the first
      const later = await waitFor(() => {
        const got = fast.events().filter((e) => e.position > first);
        return got.length === 2 && got.map((e) => e.position);
      }, 'the fast sink to get the later transactions');
      expect(slowSeen).toHaveLength(1);
      await new Promise((r) => setTimeout(r, 100));
      expect(lsnValue(await confirmedFlush('cdc_lanes'))).toBeLessThan(parsePgPosition(first).commitEndLsn);
      gates.shift()!();
      // the slow sink catches up with both waiting transactions in one batch
      await waitFor(() => slowSeen.length === 2, 'the slow sink to get the rest');
      expect(slowSeen[1]).toEqual(later);
      expect(lsnValue(await confirmedFlush('cdc_lanes'))).toBeLessThan(parsePgPosition(later[1]!).commitEndLsn);
      gates.shift()!();
      const end = parsePgPosition(later[1]!).commitEndLsn;
      await waitFor(() => src.ackedLsn >= end, 'the last transaction to be confirmed');
    } finally {
      for (const release of gates) release();
      await src.stop();
    }
    // the acknowledgement was sent; the walsender records it in the slot when it reads it
    const last = parsePgPosition(fast.events().at(-1)!.position).commitEndLsn;
    const deadline = Date.now() + 10_000;
    while (lsnValue(await confirmedFlush('cdc_lanes')) < last) {
      if (Date.now() > deadline) throw new Error('slot never confirmed the last transaction');
      await new Promise((r) => setTimeout(r, 20));
    }
  });

  it('stops on a non-retriable sink error instead of skipping the change', async () => {
    const fatalErrors: unknown[] = [];
    const broken: ChangeSink = {
      name: 'broken',
      async handle() {
        throw new Error('a bug, not an outage');
      },
    };
    const src = source('cdc_fatal', [broken], { onFatal: (e) => fatalErrors.push(e) });
    await src.start();
    const before = lsnValue(await confirmedFlush('cdc_fatal'));
    await db.sql`insert into cdc_full values (20, 'fatal', 'v')`;
    await waitFor(() => fatalErrors.length > 0, 'the source to give up');
    expect(src.ready).toBe(false);
    expect((src.failure as Error).message).toBe('a bug, not an outage');
    await src.stop();
    // the failed transaction is still ahead of the slot: a fixed cdc would get it again
    const [row] = await db.sql<{ n: number }[]>`
      select count(*)::int as n from pg_logical_slot_peek_binary_changes('cdc_fatal', null, null,
        'proto_version', '1', 'publication_names', 'commerce_cdc')`;
    expect(row!.n).toBeGreaterThan(0);
    expect(lsnValue(await confirmedFlush('cdc_fatal'))).toBeGreaterThanOrEqual(before);
  });

  it('resumes after a restart from the confirmed position: unconfirmed changes come again, confirmed ones do not', async () => {
    const firstRun = recordingSink();
    let block = false;
    const blocking: ChangeSink = {
      name: 'blocking',
      handle(batch, ctx) {
        if (!block) return firstRun.handle(batch, ctx);
        return new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)));
      },
    };
    const src1 = source('cdc_resume', [blocking], { stopTimeoutMs: 100 });
    await src1.start();
    await db.sql`insert into cdc_full values (30, 'delivered', 'v')`;
    await waitFor(() => firstRun.events().length === 1, 'first change');
    await waitFor(() => src1.ackedLsn >= parsePgPosition(firstRun.events()[0]!.position).commitEndLsn, 'ack');
    block = true;
    await db.sql`insert into cdc_full values (31, 'in flight when stopped', 'v')`;
    await new Promise((r) => setTimeout(r, 200));
    await src1.stop();
    await db.sql`insert into cdc_full values (32, 'committed while down', 'v')`;

    const secondRun = recordingSink();
    const src2 = source('cdc_resume', [secondRun]);
    await src2.start();
    try {
      const events = await waitFor(() => secondRun.events().length >= 2 && secondRun.events(), 'the missed changes');
      expect(events.map((e) => e.key?.id)).toEqual(['31', '32']);
    } finally {
      await src2.stop();
    }
  });

  it('looks up the primary key of a FULL-identity table added to the publication while streaming', async () => {
    const sink = recordingSink();
    const src = source('cdc_late_table', [sink]);
    await src.start();
    try {
      await db.sql.unsafe(`
        create table cdc_late (tenant bigint, code text, label text, primary key (code, tenant));
        alter table cdc_late replica identity full;
        alter publication commerce_cdc add table cdc_late;`);
      await db.sql`insert into cdc_late values (7, 'x', 'late')`;
      const [event] = await waitFor(() => sink.events().length >= 1 && sink.events(), 'the late table change');
      expect(event!.table).toBe('public.cdc_late');
      expect(event!.key).toEqual({ code: 'x', tenant: '7' });
    } finally {
      await src.stop();
    }
  });

  it('reconnects from the confirmed position when the replication connection is killed', async () => {
    const sink = recordingSink();
    const metrics = createCdcMetrics();
    const src = source('cdc_reconnect', [sink], { metrics });
    await src.start();
    try {
      await db.sql`insert into cdc_full values (40, 'before', 'v')`;
      await waitFor(() => sink.events().length === 1, 'first change');
      const { commitEndLsn } = parsePgPosition(sink.events()[0]!.position);
      for (let i = 0; i < 500 && lsnValue(await confirmedFlush('cdc_reconnect')) < commitEndLsn; i++)
        await new Promise((r) => setTimeout(r, 20));
      await db.sql`select pg_terminate_backend(active_pid) from pg_replication_slots where slot_name = 'cdc_reconnect'`;
      await db.sql`insert into cdc_full values (41, 'after', 'v')`;
      const events = await waitFor(
        () => sink.events().some((e) => e.key?.id === '41') && sink.events(),
        'change after reconnect',
      );
      expect(events.filter((e) => e.key?.id === '40')).toHaveLength(1);
      expect(await metrics.registry.getSingleMetricAsString('cdc_source_restarts_total')).toMatch(/source="pg"} [1-9]/);
      await waitFor(() => src.ready, 'ready again');
    } finally {
      await src.stop();
    }
  });

  it('answers keepalives and moves the slot past WAL it has nothing to deliver for', async () => {
    const sink = recordingSink();
    const src = source('cdc_idle', [sink]);
    await src.start();
    try {
      // idempotency_keys is not published: its WAL produces no change, only keepalives
      const [merchant] = await db.sql<{ id: string }[]>`
        insert into merchants (slug, name) values ('idle-shop', 'Idle') returning id`;
      await waitFor(() => sink.events().length === 1, 'merchant insert');
      await db.sql`insert into idempotency_keys (merchant_id, key, principal, method, path, request_hash)
                   values (${merchant!.id}, 'k1', 'p', 'POST', '/x', 'h')`;
      const [row] = await db.sql<{ lsn: string }[]>`select pg_current_wal_lsn()::text as lsn`;
      const target = lsnValue(row!.lsn);
      const deadline = Date.now() + 15_000;
      while (lsnValue(await confirmedFlush('cdc_idle')) < target) {
        if (Date.now() > deadline) throw new Error('slot did not advance past unpublished WAL');
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(sink.events()).toHaveLength(1);
    } finally {
      await src.stop();
    }
  });
});

function lsnValue(text: string | null): bigint {
  if (!text) return 0n;
  const [hi, lo] = text.split('/') as [string, string];
  return (BigInt(`0x${hi}`) << 32n) | BigInt(`0x${lo}`);
}
