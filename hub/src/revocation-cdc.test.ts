import { cdcConfigSchema, createCdc } from '@commerce/cdc';
import { parseConfig, topics } from '@commerce/common';
import { createTestDatabase, testKeyPrefix, testRedisUrl } from '@commerce/infra/testing';
import { CloseCode, decodeTopicHeader, FrameType } from '@commerce/sdk/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent } from './bus/bus-contract.ts';
import { REVOCATIONS_TOPIC } from './bus/control-topics.ts';
import { RedisBus } from './bus/redis-bus.ts';
import type { Hub } from './create-hub.ts';
import { createPostgresRevocationCheck } from './revocation-postgres.ts';
import { hubFixture, until } from './testing/hub-fixture.ts';

// A revocation committed in Postgres reaches every hub instance through cdc (real pgoutput slot on
// the test database) and the Redis bus: the terminal's sessions end with 4003 on both instances and
// the topic key rotates, long before the periodic re-check (an hour here) could be the cause.
const db = await createTestDatabase();
const prefix = testKeyPrefix();
const redisBus = () => new RedisBus({ url: testRedisUrl(), keyPrefix: prefix, historyMax: 100, dedupeWindow: 200 });
const writer = redisBus();
const buses = [writer, redisBus(), redisBus()];
let fx: Awaited<ReturnType<typeof hubFixture>>;
let cdc: ReturnType<typeof createCdc>;
let hubA: Hub;
let hubB: Hub;
const ids = { merchant: '', branch: '', station: '', revoked: '', other: '' };

beforeAll(async () => {
  await Promise.all(buses.map((bus) => bus.start()));
  const config = parseConfig(cdcConfigSchema, {
    DATABASE_URL: db.url,
    CDC_SLOT: 'cdc_revocations',
    BUS_DRIVER: 'redis',
    REDIS_URL: testRedisUrl(),
    REDIS_KEY_PREFIX: prefix,
    CDC_SLOT_CHECK_MS: '100000',
  });
  fx = await hubFixture();
  cdc = createCdc({ config, logger: fx.logger, bus: writer, sql: db.sql, sinks: [] });
  await cdc.start();
  const recheckNever = { revocationRecheckS: 3600, sweepMs: 50 };
  const check = createPostgresRevocationCheck(db.sql);
  hubA = await fx.startHub(buses[1]!, recheckNever, check);
  hubB = await fx.startHub(buses[2]!, recheckNever, check);

  const [m] = await db.sql<{ id: string }[]>`insert into merchants (slug, name) values ('diner', 'Diner') returning id`;
  ids.merchant = m!.id;
  const [b] = await db.sql<{ id: string }[]>`
    insert into branches (merchant_id, name) values (${ids.merchant}, 'Main') returning id`;
  ids.branch = b!.id;
  const [s] = await db.sql<{ id: string }[]>`
    insert into stations (merchant_id, branch_id, code, name) values (${ids.merchant}, ${ids.branch}, 'grill', 'Grill') returning id`;
  ids.station = s!.id;
  const terminal = async (name: string) => {
    const [t] = await db.sql<{ id: string }[]>`
      insert into terminals (merchant_id, branch_id, kind, name, station_ids)
      values (${ids.merchant}, ${ids.branch}, 'kds', ${name}, ${[ids.station]}::bigint[]) returning id`;
    return t!.id;
  };
  ids.revoked = await terminal('Grill screen 1');
  ids.other = await terminal('Grill screen 2');
});

afterAll(async () => {
  await fx?.close();
  await cdc?.stop();
  await Promise.all(buses.map((bus) => bus.stop()));
  await db.drop();
});

const kdsToken = (terminalId: string) =>
  fx.token({
    kind: 'terminal',
    id: terminalId,
    merchantId: ids.merchant,
    roles: ['terminal', 'kitchen'],
    branchIds: [ids.branch],
    stationIds: [ids.station],
  });

const rotations = async (hub: Hub) => {
  const line = (await hub.metricsText())
    .split('\n')
    .find((l) => l.startsWith('hub_key_rotations_total{reason="access_lost"}'));
  return line ? Number(line.split(' ')[1]) : 0;
};

describe('revocation committed in Postgres', () => {
  it('ends the terminal on every hub instance at once and rotates the topic key', async () => {
    const topic = topics.kitchen(ids.merchant, ids.branch, ids.station);
    const onA = fx.client(hubA, await kdsToken(ids.revoked));
    const onB = fx.client(hubB, await kdsToken(ids.revoked));
    const frames: Uint8Array[] = [];
    const stayer = fx.client(hubB, await kdsToken(ids.other), {
      onRawFrame: (bytes) => {
        if (bytes[1] === FrameType.topic) frames.push(bytes);
      },
    });
    for (const client of [onA, onB, stayer]) {
      await client.connect();
      client.subscribe(topic);
    }
    await until(() => [onA, onB, stayer].every((c) => c.seen.subscribed.length === 1), 10_000, 'subscriptions');
    await writer.publish([makeEvent(topic, 'before')]);
    await until(() => frames.length === 1 && onB.seen.events.length === 1, 10_000, 'first event');
    const keyBefore = decodeTopicHeader(frames[0]!).keyId;
    const rotatedBefore = await rotations(hubB);

    // what the api's revoke endpoint commits (api/src/auth/terminal-service.ts revokeTerminal)
    await db.sql`
      update terminals set revoked_at = coalesce(revoked_at, now())
      where merchant_id = ${ids.merchant} and id = ${ids.revoked}`;

    await until(() => onA.state === 'failed' && onB.state === 'failed', 10_000, 'both sessions ended');
    for (const client of [onA, onB]) {
      expect(client.seen.errors.at(-1)).toMatchObject({ code: `closed_${CloseCode.revoked}`, fatal: true });
    }
    await until(async () => (await rotations(hubB)) === rotatedBefore + 1, 5_000, 'key rotation on B');
    await writer.publish([makeEvent(topic, 'after')]);
    await until(() => stayer.seen.events.length === 2, 10_000, 'stayer reads on');
    expect(decodeTopicHeader(frames.at(-1)!).keyId).not.toBe(keyBefore);
    expect(stayer.state).toBe('connected');
  });

  it('keeps the internal revocations topic away from terminals', async () => {
    // an active terminal with the widest role there is
    const owner = fx.client(hubA, await fx.token({ id: ids.other, merchantId: ids.merchant, roles: ['owner'] }));
    await owner.connect();
    owner.subscribe(REVOCATIONS_TOPIC);
    await until(() => owner.seen.refused.length === 1);
    expect(owner.seen.refused[0]).toMatchObject({ topic: REVOCATIONS_TOPIC, reason: 'invalid_topic' });
  });
});
