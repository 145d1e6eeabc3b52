import type { Socket } from 'node:net';
import { topics } from '@commerce/common';
import type { HubClientOptions } from '@commerce/sdk';
import { CloseCode } from '@commerce/sdk/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { makeEvent } from './bus/bus-contract.ts';
import { MemoryBus } from './bus/memory-bus.ts';
import type { Hub } from './create-hub.ts';
import { hubFixture, until } from './testing/hub-fixture.ts';
import { rawSession } from './testing/raw-session.ts';

// Must show: stop() waits for each terminal to take its 1012 (real port): one whose send buffer is
// full holds it until it has read everything queued ahead of the close, or is dropped without one
// at HUB_DRAIN_TIMEOUT_MS (counted); normal terminals have all read up to their 1012 before stop()
// resolves, and each gets it. (uWS says nothing once a socket is ended, so "read up to the close
// frame, which was then written on an empty connection" is the most the hub, and this test, can see.)
let fx: Awaited<ReturnType<typeof hubFixture>>;
beforeAll(async () => {
  fx = await hubFixture();
});
afterAll(() => fx.close());

const newBus = () => new MemoryBus({ historyMax: 100, dedupeWindow: 200 });
const metric = async (hub: Hub, name: string) =>
  Number((await hub.metricsText()).match(new RegExp(`^${name} (\\d+)$`, 'm'))?.[1] ?? Number.NaN);

/**
 * A terminal that stops reading with 20 MB of frames sent to it: far more than the kernel's socket
 * buffers take, so uWS holds the rest (about 16 MB here), and the close frame would queue behind it.
 */
async function stalledTerminal(hub: Hub, bus: MemoryBus) {
  const topic = topics.catalog('1');
  const terminal = await rawSession(`ws://127.0.0.1:${hub.port}/ws`, await fx.token());
  await terminal.sendSealed({ t: 'sub', rid: 1, topic });
  await terminal.expect('subscribed');
  const tcp = (terminal.socket.ws as unknown as { _socket: Socket })._socket;
  tcp.pause();
  const pad = 'x'.repeat(8_000);
  for (let batch = 0; batch < 50; batch++) {
    await bus.publish(Array.from({ length: 50 }, () => makeEvent(topic, undefined, { pad })));
  }
  await until(async () => (await metric(hub, 'hub_events_published_total')) === 2_500, 10_000, 'all published');
  const frames = await metric(hub, 'hub_frames_published_total');
  return { terminal, tcp, frames };
}

describe('drain', () => {
  it('holds stop() until a terminal with a full send buffer has read everything before its 1012', async () => {
    const bus = newBus();
    const hub = await fx.startHub(bus, { maxBackpressureBytes: 64 * 1024 * 1024, drainTimeoutMs: 20_000 });
    const { terminal, tcp, frames } = await stalledTerminal(hub, bus);
    let stopped = false;
    const stopping = hub.stop().then(() => {
      stopped = true;
    });
    await new Promise((r) => setTimeout(r, 1_000));
    expect(stopped).toBe(false);
    expect(terminal.socket.closed).toBeUndefined();

    tcp.resume();
    await stopping;
    // the close frame is the only thing left to read: every frame queued ahead of it was read
    expect(terminal.socket.inbox.length).toBe(frames);
    expect(await terminal.socket.closing).toEqual({ code: CloseCode.serviceRestart, reason: 'service restart' });
    expect(await metric(hub, 'hub_forced_closes_total')).toBe(0);
    expect(await metric(hub, 'hub_drops_total')).toBe(0);
  }, 30_000);

  it('drops a terminal that never drains at HUB_DRAIN_TIMEOUT_MS, without a 1012, and counts it', async () => {
    const bus = newBus();
    const hub = await fx.startHub(bus, { maxBackpressureBytes: 64 * 1024 * 1024, drainTimeoutMs: 1_000 });
    const { terminal, tcp, frames } = await stalledTerminal(hub, bus);
    const started = Date.now();
    await hub.stop();
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(990);
    expect(took).toBeLessThan(2_500);
    expect(await metric(hub, 'hub_forced_closes_total')).toBe(1);

    tcp.resume(); // what had reached the kernel arrives, then the connection ends without a close frame
    expect((await terminal.socket.closing).code).toBe(1006);
    expect(terminal.socket.inbox.length).toBeLessThan(frames);
  }, 30_000);

  it('every normal terminal has read all up to its 1012 before stop() resolves, and gets it', async () => {
    const bus = newBus();
    const hub = await fx.startHub(bus, { drainTimeoutMs: 5_000 });
    let stopping = false;
    const confirmed = new Set<WebSocket>();
    // ws, noting each socket that answers a ping once stop() has begun (uWS's keep-alive pings are
    // seconds apart): the hub asks every closing terminal to confirm it has read everything
    class TrackedWebSocket extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols);
        this.on('ping', () => stopping && confirmed.add(this));
      }
    }
    const topic = topics.stock('1');
    const clients = await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        const client = fx.client(hub, await fx.token({ id: String(100 + i) }), {
          reconnect: false,
          WebSocket: TrackedWebSocket as unknown as HubClientOptions['WebSocket'],
        });
        await client.connect();
        client.subscribe(topic);
        return client;
      }),
    );
    await until(() => clients.every((c) => c.seen.subscribed.length === 1));
    await bus.publish([makeEvent(topic), makeEvent(topic)]);
    await until(() => clients.every((c) => c.seen.events.length === 2));

    const started = Date.now();
    stopping = true;
    await hub.stop();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(confirmed.size).toBe(clients.length);
    expect(await metric(hub, 'hub_forced_closes_total')).toBe(0);
    // the app is closed now: the 1012s were written before it, with nothing queued ahead of them
    await until(() => clients.every((c) => c.state === 'closed'), 2_000, 'every terminal closed');
    for (const client of clients) {
      expect(client.seen.states.at(-1)).toEqual({
        state: 'closed',
        code: CloseCode.serviceRestart,
        reason: 'service restart',
      });
    }
  });
});
