import { Agent, get } from 'node:http';
import { topics } from '@commerce/common';
import { CloseCode } from '@commerce/sdk';
import { SUBPROTOCOL } from '@commerce/sdk/wire';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { BusListener } from './bus/bus.ts';
import { makeEvent } from './bus/bus-contract.ts';
import { MemoryBus } from './bus/memory-bus.ts';
import { hubFixture, seqs, until } from './testing/hub-fixture.ts';
import { tcpProxy } from './testing/proxies.ts';

let fx: Awaited<ReturnType<typeof hubFixture>>;
beforeAll(async () => {
  fx = await hubFixture();
});
afterAll(() => fx.close());

/** GET over a given agent; `reused` says whether it went over a connection opened before. */
function httpGet(port: number, path: string, agent: Agent, headers: Record<string, string> = {}) {
  return new Promise<{ status: number | undefined; body: string; reused: boolean }>((resolve, reject) => {
    const request = get({ host: '127.0.0.1', port, path, agent, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode, body, reused: request.reusedSocket }));
    });
    request.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode, body: '', reused: request.reusedSocket });
    });
    request.on('error', reject);
  });
}

describe('operations', () => {
  it('serves /health, /ready and Prometheus /metrics on the hub port', async () => {
    const bus = new MemoryBus({ historyMax: 100, dedupeWindow: 200 });
    const hub = await fx.startHub(bus);
    const base = `http://127.0.0.1:${hub.port}`;
    expect((await fetch(`${base}/health`)).status).toBe(200);
    expect(await (await fetch(`${base}/ready`)).text()).toBe('ready');
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    const topic = topics.stock('1');
    const client = fx.client(hub, await fx.token());
    await client.connect();
    client.subscribe(topic);
    await until(() => client.seen.subscribed.length === 1);
    await bus.publish([makeEvent(topic), makeEvent(topic)]);
    await until(() => client.seen.events.length === 2);
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await metrics.text();
    for (const line of [
      'hub_connections 1',
      'hub_subscriptions 1',
      'hub_frames_published_total 1', // one bus delivery: both events in one frame
      'hub_events_published_total 2',
      'hub_deliveries_total 2',
      'hub_handshakes_total{result="ok"} 1',
    ]) {
      expect(text).toContain(line);
    }
    for (const name of [
      'hub_drops_total',
      'hub_slow_disconnects_total',
      'hub_recoveries_total',
      'hub_key_rotations_total',
    ]) {
      expect(text).toContain(`# TYPE ${name} counter`);
    }
  });

  it('drains on stop: stops accepting, sends 1012, and the terminal resumes on another instance', async () => {
    const bus = new MemoryBus({ historyMax: 100, dedupeWindow: 200 }); // shared by both instances here
    const first = await fx.startHub(bus);
    const second = await fx.startHub(bus);
    const balancer = await tcpProxy(first.port);
    const topic = topics.kitchen('1', '2', '3');
    const client = fx.client(first, await fx.token(), { url: balancer.url });
    await client.connect();
    client.subscribe(topic);
    await until(() => client.seen.subscribed.length === 1);
    await bus.publish([makeEvent(topic), makeEvent(topic)]);
    await until(() => client.seen.events.length === 2);

    balancer.retarget(second.port);
    await first.stop();
    await until(() => client.seen.states.some((s) => s.state === 'reconnecting'));
    expect(client.seen.states).toContainEqual({
      state: 'reconnecting',
      code: CloseCode.serviceRestart,
      reason: 'service restart',
    });
    await expect(fetch(`http://127.0.0.1:${first.port}/health`)).rejects.toThrow();
    await bus.publish([makeEvent(topic), makeEvent(topic), makeEvent(topic)]);
    await until(() => client.seen.events.length === 5, 5_000, 'events after failover');
    expect(seqs(client)).toEqual([1, 2, 3, 4, 5]);
    expect(client.state).toBe('connected');
    await balancer.close();
  });

  it('answers /ready with 503 while it drains (on a connection opened before: new ones are refused)', async () => {
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    // the bus's unsubscribe waits for the test, which holds stop() mid-drain, after the 1012s
    class HeldBus extends MemoryBus {
      override async subscribe(topic: string, listener: BusListener) {
        const off = await super.subscribe(topic, listener);
        return async () => {
          await held;
          await off();
        };
      }
    }
    onTestFinished(() => release()); // a failed expectation must not leave stop() held for afterAll
    const hub = await fx.startHub(new HeldBus({ historyMax: 100, dedupeWindow: 200 }));
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    expect(await httpGet(hub.port, '/ready', agent)).toEqual({ status: 200, body: 'ready', reused: false });
    const client = fx.client(hub, await fx.token(), { reconnect: false });
    await client.connect();
    const stopping = hub.stop();
    await until(() => client.state === 'closed');
    expect(client.seen.states.at(-1)).toMatchObject({ code: CloseCode.serviceRestart });
    expect(await httpGet(hub.port, '/ready', agent)).toEqual({ status: 503, body: 'not ready', reused: true });
    expect(await httpGet(hub.port, '/health', agent)).toEqual({ status: 200, body: 'ok', reused: true });
    // nor does a WebSocket upgrade on it get through: a terminal opened now would miss the 1012s
    const upgrade = {
      Connection: 'Upgrade',
      Upgrade: 'websocket',
      'Sec-WebSocket-Version': '13',
      'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
      'Sec-WebSocket-Protocol': SUBPROTOCOL,
    };
    expect(await httpGet(hub.port, '/ws', agent, upgrade)).toEqual({ status: 503, body: 'draining', reused: true });
    await expect(fetch(`http://127.0.0.1:${hub.port}/ready`)).rejects.toThrow();
    release();
    await stopping;
    agent.destroy();
  });
});
