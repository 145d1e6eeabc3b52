import { topics } from '@commerce/common';
import { testKeyPrefix, testRedisUrl } from '@commerce/infra/testing';
import {
  CloseCode,
  decodePlain,
  encodePlain,
  generateEphemeral,
  PROTOCOL_VERSION,
  toBase64Url,
} from '@commerce/sdk/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent } from './bus/bus-contract.ts';
import { RedisBus } from './bus/redis-bus.ts';
import type { Hub } from './create-hub.ts';
import { hubFixture, seqs, until } from './testing/hub-fixture.ts';
import { rawSocket } from './testing/raw-session.ts';

// Must show: handshake and subscribe with the SDK; tenant and station isolation (real port, real Redis)
let fx: Awaited<ReturnType<typeof hubFixture>>;
let bus: RedisBus;
let hub: Hub;
beforeAll(async () => {
  fx = await hubFixture();
  bus = new RedisBus({ url: testRedisUrl(), keyPrefix: testKeyPrefix(), historyMax: 1000, dedupeWindow: 2000 });
  await bus.start();
  hub = await fx.startHub(bus);
});
afterAll(async () => {
  await fx.close();
  await bus.stop();
});

describe('handshake, subscriptions and isolation', () => {
  it('handshakes with the token in the hello message or in the subprotocol, never the URL', async () => {
    const topic = topics.orders('1', '2');
    for (const tokenTransport of ['message', 'subprotocol'] as const) {
      const client = fx.client(hub, await fx.token({ roles: ['cashier'], branchIds: ['2'] }), { tokenTransport });
      await client.connect();
      expect(client.session?.principal).toEqual({ kind: 'terminal', id: '1', merchantId: '1' });
      client.subscribe(topic);
      await until(() => client.seen.subscribed.length === 1);
      client.close();
    }
  });

  it('ignores a token in the URL query string: without one in hello or the subprotocol, 4001', async () => {
    const token = await fx.token();
    const withQuery = `ws://127.0.0.1:${hub.port}/ws?token=${encodeURIComponent(token)}&access_token=${token}`;
    const hello = async (withToken: boolean) =>
      encodePlain({
        t: 'hello',
        v: PROTOCOL_VERSION,
        clientKey: toBase64Url((await generateEphemeral()).publicRaw),
        ...(withToken ? { token } : {}),
      });
    const bare = await rawSocket(withQuery); // the upgrade itself is accepted: the route ignores the query
    bare.send(await hello(false));
    const closed = await Promise.race([bare.closing, new Promise((r) => setTimeout(() => r('still open'), 5_000))]);
    expect(closed).toMatchObject({ code: CloseCode.unauthenticated });
    expect(bare.inbox).toEqual([]); // no welcome, no session
    // the same URL with the token in hello is welcomed: the token in the query was simply never read
    const proper = await rawSocket(withQuery);
    proper.send(await hello(true));
    expect(decodePlain(await proper.next())).toMatchObject({ t: 'welcome' });
    proper.ws.close();
  });

  it('refuses a bad token with 4001 and an unknown subprotocol at the upgrade', async () => {
    const client = fx.client(hub, 'not-a-jwt');
    await expect(client.connect()).rejects.toThrow(/failed: 4001/);
    const expired = fx.client(
      hub,
      await fx.sign({ kind: 'terminal', id: '1', merchantId: '1', roles: ['owner'], ttlSeconds: -60 }),
    );
    await expect(expired.connect()).rejects.toThrow(/4001/);
    await expect(rawSocket(`ws://127.0.0.1:${hub.port}/ws`, ['chat'])).rejects.toThrow(/400/);
  });

  it('never lets merchant B subscribe to merchant A’s topics', async () => {
    const merchantB = fx.client(hub, await fx.token({ merchantId: '2', roles: ['owner'] }));
    await merchantB.connect();
    for (const topic of [topics.orders('1', '2'), topics.kitchen('1', '2', '3'), topics.stockAlerts('1')]) {
      merchantB.subscribe(topic);
    }
    await until(() => merchantB.seen.refused.length === 3);
    expect(merchantB.seen.refused.map((r) => r.reason)).toEqual([
      'forbidden_merchant',
      'forbidden_merchant',
      'forbidden_merchant',
    ]);
    await bus.publish([makeEvent(topics.orders('1', '2')), makeEvent(topics.stockAlerts('1'))]);
    await new Promise((r) => setTimeout(r, 100));
    expect(merchantB.seen.events).toEqual([]);
  });

  it('keeps bar tickets away from the grill kitchen display', async () => {
    const grill = topics.kitchen('1', '2', '10');
    const bar = topics.kitchen('1', '2', '11');
    const grillKds = fx.client(
      hub,
      await fx.token({ roles: ['terminal', 'kitchen'], branchIds: ['2'], stationIds: ['10'] }),
    );
    const barKds = fx.client(
      hub,
      await fx.token({ id: '2', roles: ['terminal', 'kitchen'], branchIds: ['2'], stationIds: ['11'] }),
    );
    await Promise.all([grillKds.connect(), barKds.connect()]);
    grillKds.subscribe(grill);
    grillKds.subscribe(bar);
    barKds.subscribe(bar);
    await until(
      () => grillKds.seen.subscribed.length + grillKds.seen.refused.length === 2 && barKds.seen.subscribed.length === 1,
    );
    expect(grillKds.seen.refused).toEqual([{ topic: bar, reason: 'forbidden_station' }]);
    await bus.publish([makeEvent(grill, 'g1'), makeEvent(bar, 'b1'), makeEvent(grill, 'g2'), makeEvent(bar, 'b2')]);
    await until(() => grillKds.seen.events.length === 2 && barKds.seen.events.length === 2);
    await new Promise((r) => setTimeout(r, 50));
    expect(grillKds.seen.events.map((e) => e.event.id)).toEqual(['g1', 'g2']);
    expect(barKds.seen.events.map((e) => e.event.id)).toEqual(['b1', 'b2']);
    expect(seqs(grillKds)).toEqual([1, 2]);
  });

  it('refuses topics that do not exist and more subscriptions than allowed, with a reason', async () => {
    const small = await fx.startHub(bus, { maxSubscriptions: 2 });
    const client = fx.client(small, await fx.token());
    await client.connect();
    client.subscribe('m:1:everything');
    for (const station of ['1', '2', '3']) client.subscribe(topics.kitchen('1', '2', station));
    await until(() => client.seen.refused.length === 2 && client.seen.subscribed.length === 2).catch((error) => {
      throw new Error(`${error.message}: ${JSON.stringify(client.seen)}`);
    });
    expect(client.seen.refused).toEqual([
      { topic: 'm:1:everything', reason: 'invalid_topic' },
      { topic: topics.kitchen('1', '2', '3'), reason: 'too_many_subscriptions' },
    ]);
  });
});
