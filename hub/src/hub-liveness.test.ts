import { topics } from '@commerce/common';
import { testKeyPrefix, testRedisUrl } from '@commerce/infra/testing';
import type { HubClientOptions } from '@commerce/sdk';
import { CloseCode } from '@commerce/sdk/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { makeEvent } from './bus/bus-contract.ts';
import { RedisBus } from './bus/redis-bus.ts';
import type { Hub } from './create-hub.ts';
import { hubFixture, seqs, until } from './testing/hub-fixture.ts';
import { tcpProxy } from './testing/proxies.ts';
import { rawSession } from './testing/raw-session.ts';

// Must show: the server drops a terminal that stops answering pings; the SDK drops a server that
// goes silent (4603); an SDK terminal cut off as a slow consumer (4008) comes back with every event
// it missed, in order (real port, real Redis).
let fx: Awaited<ReturnType<typeof hubFixture>>;
let bus: RedisBus;
let hub: Hub;
const url = () => `ws://127.0.0.1:${hub.port}/ws`;

beforeAll(async () => {
  fx = await hubFixture();
  bus = new RedisBus({ url: testRedisUrl(), keyPrefix: testKeyPrefix(), historyMax: 20_000, dedupeWindow: 40_000 });
  await bus.start();
  // heartbeat 1 s gives uWS its shortest idle timeout (8 s: it pings after 4 s idle, closes 4 s later)
  hub = await fx.startHub(bus, { heartbeatMs: 1_000, maxBackpressureBytes: 256 * 1024 });
});
afterAll(async () => {
  await fx.close();
  await bus.stop();
});

const sessionIds = () => [...hub.core.sessions].map((session) => session.principal?.id);

describe('liveness', () => {
  it('closes a terminal that stops answering pings, and keeps one that answers them', async () => {
    const mute = await rawSession(url(), await fx.token({ id: '301' }), { autoPong: false });
    const answering = await rawSession(url(), await fx.token({ id: '302' }));
    const pings = { mute: 0, answering: 0 };
    mute.socket.ws.on('ping', () => pings.mute++);
    answering.socket.ws.on('ping', () => pings.answering++);
    // neither sends a message after the handshake: only WebSocket pongs can keep one alive
    const closed = await mute.socket.closing;
    expect(closed.code).toBe(1006); // uWS drops an idle connection without a close frame
    expect(pings.mute).toBeGreaterThan(0); // the server asked before giving up
    expect(sessionIds()).not.toContain('301');
    // the answering one outlives another ping round that would have closed it too
    const seen = pings.answering;
    await until(() => pings.answering > seen, 10_000, 'another ping');
    expect(answering.socket.closed).toBeUndefined();
    expect(sessionIds()).toContain('302');
  }, 30_000);

  it('the SDK closes with 4603 when the server goes silent, then reconnects and recovers', async () => {
    const proxy = await tcpProxy(hub.port);
    const topic = topics.kitchen('1', '2', '303');
    const client = fx.client(hub, await fx.token({ id: '303' }), { url: proxy.url, pingIntervalMs: 300 });
    await client.connect();
    client.subscribe(topic);
    await until(() => client.seen.subscribed.length === 1);
    await bus.publish([makeEvent(topic, 'before')]);
    await until(() => client.seen.events.length === 1);
    const statesBefore = client.seen.states.length;
    proxy.stall(); // the hub still hears the terminal's pings; the terminal hears nothing
    await bus.publish([makeEvent(topic, 'unheard')]);
    await until(() => client.seen.recovered.length === 1, 10_000, 'recovered');
    expect(client.seen.states.slice(statesBefore)[0]).toEqual({
      state: 'reconnecting',
      code: CloseCode.pongTimeout,
      reason: 'no pong',
    });
    expect(client.seen.events.map((e) => [e.event.id, e.replayed])).toEqual([
      ['before', false],
      ['unheard', true],
    ]);
    expect(client.state).toBe('connected');
    await proxy.close();
  });
});

describe('slow consumer', () => {
  it('an SDK terminal cut off with 4008 reconnects and recovers every missed event, in order', async () => {
    const sockets: WebSocket[] = [];
    // ws, remembering each socket so the test can stop reading from it like a stalled device
    class TrackedWebSocket extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols);
        sockets.push(this);
      }
    }
    const topic = topics.catalog('1');
    const client = fx.client(hub, await fx.token({ id: '304' }), {
      WebSocket: TrackedWebSocket as unknown as HubClientOptions['WebSocket'],
    });
    await client.connect();
    client.subscribe(topic);
    await until(() => client.seen.subscribed.length === 1);
    const tcp = (sockets[0] as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    tcp.pause();
    const pad = 'x'.repeat(2_000);
    const published: string[] = [];
    const cutOff = async () => (await hub.metricsText()).includes('hub_slow_disconnects_total 1');
    for (let batch = 0; batch < 100 && !(await cutOff()); batch++) {
      const events = Array.from({ length: 50 }, (_, i) => makeEvent(topic, `e${batch}-${i}`, { pad }));
      published.push(...events.map((e) => e.id));
      await bus.publish(events);
    }
    await until(cutOff, 5_000, 'slow disconnect');
    tcp.resume();
    // replayed events can reach the app just before the subscription's `recovered` does
    await until(
      () => client.seen.events.length >= published.length && client.seen.recovered.length > 0,
      20_000,
      'every event, recovered',
    );
    expect(client.seen.states).toContainEqual({
      state: 'reconnecting',
      code: CloseCode.slowConsumer,
      reason: 'slow consumer',
    });
    expect(client.seen.recovered.length).toBeGreaterThan(0);
    expect(client.seen.events.some((e) => e.replayed)).toBe(true);
    expect(client.seen.reload).toEqual([]);
    expect(client.seen.events.map((e) => e.event.id)).toEqual(published);
    expect(seqs(client)).toEqual(published.map((_, i) => i + 1));
    expect(client.state).toBe('connected');
  }, 40_000);
});
