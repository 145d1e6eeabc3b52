import type { HubClientEvents, HubEvent } from '@commerce/sdk';
import { describe, expect, it } from 'vitest';
import { connectionView } from '../state/connection-state.ts';
import { type LiveClient, startLiveSession } from './live-session.ts';

class FakeClient implements LiveClient {
  listeners = new Map<string, Set<(p: never) => void>>();
  subscribed: string[] = [];
  connected = 0;
  closed = false;
  on<K extends keyof HubClientEvents>(name: K, listener: (payload: HubClientEvents[K]) => void) {
    const set = this.listeners.get(name) ?? new Set();
    this.listeners.set(name, set);
    set.add(listener as (p: never) => void);
    return () => void set.delete(listener as (p: never) => void);
  }
  emit<K extends keyof HubClientEvents>(name: K, payload: HubClientEvents[K]) {
    for (const l of this.listeners.get(name) ?? []) (l as (p: HubClientEvents[K]) => void)(payload);
  }
  subscribe(topic: string) {
    this.subscribed.push(topic);
  }
  async connect() {
    this.connected++;
  }
  close() {
    this.closed = true;
  }
}

const TOPIC = 'm:1:b:2:kitchen:3';
let seq = 0;
const hubEvent = (id: string): HubEvent => ({
  topic: TOPIC,
  position: { epoch: 'e', seq: ++seq },
  replayed: false,
  event: {
    v: 1,
    type: 'kitchen.ticket.created',
    id,
    merchantId: '1',
    topic: TOPIC,
    entity: {},
    position: String(seq),
    occurredAt: null,
  },
});

function deferred() {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function setup() {
  const client = new FakeClient();
  const applied: string[] = [];
  const loads: Array<ReturnType<typeof deferred>> = [];
  const timers: Array<() => void> = [];
  const session = startLiveSession({
    client,
    topics: [TOPIC],
    load: () => {
      const d = deferred();
      loads.push(d);
      applied.push('<snapshot>');
      return d.promise;
    },
    apply: (e) => applied.push(e.event.id),
    onConnection: () => {},
    now: () => 1000,
    setTimer: (fn) => timers.push(fn),
    clearTimer: () => {},
  });
  const view = () => connectionView(session.connection(), 1000);
  const flush = () => new Promise((r) => setTimeout(r, 0));
  return { client, applied, loads, timers, session, view, flush };
}

describe('live session', () => {
  it('subscribes, then loads the api state, holding events that arrive meanwhile', async () => {
    const { client, applied, loads, view, flush } = setup();
    expect(client.subscribed).toEqual([TOPIC]);
    expect(client.connected).toBe(1);
    client.emit('state', { state: 'connecting' });
    client.emit('state', { state: 'connected' });
    expect(loads).toHaveLength(0); // never before the subscription is confirmed
    client.emit('synced', { recovered: [], reloadRequired: [], fresh: [TOPIC] });
    expect(loads).toHaveLength(1);
    client.emit('event', hubEvent('a'));
    expect(applied).toEqual(['<snapshot>']);
    expect(view().live).toBe(false);
    loads[0]!.resolve();
    await flush();
    expect(applied).toEqual(['<snapshot>', 'a']);
    expect(view()).toMatchObject({ key: 'connected', live: true });
    client.emit('event', hubEvent('b'));
    client.emit('event', hubEvent('b'));
    expect(applied).toEqual(['<snapshot>', 'a', 'b']);
  });

  it('after a reconnect that recovered, applies the replay without reloading', async () => {
    const { client, applied, loads, view, flush } = setup();
    client.emit('state', { state: 'connected' });
    client.emit('synced', { recovered: [], reloadRequired: [], fresh: [TOPIC] });
    loads[0]!.resolve();
    await flush();
    client.emit('state', { state: 'reconnecting', code: 1006, reason: '' });
    expect(view()).toMatchObject({ key: 'reconnecting', live: false });
    client.emit('state', { state: 'connected' });
    client.emit('event', { ...hubEvent('missed'), replayed: true });
    client.emit('recovered', { topic: TOPIC, count: 1 });
    client.emit('synced', { recovered: [TOPIC], reloadRequired: [], fresh: [] });
    expect(loads).toHaveLength(1);
    expect(applied).toEqual(['<snapshot>', 'missed']);
    expect(view()).toMatchObject({ key: 'recovered', detail: '1 missed event replayed' });
  });

  it('reloads when the hub could not replay the gap, retrying a failed load', async () => {
    const { client, applied, loads, timers, view, flush } = setup();
    client.emit('state', { state: 'connected' });
    client.emit('synced', { recovered: [], reloadRequired: [], fresh: [TOPIC] });
    loads[0]!.resolve();
    await flush();
    client.emit('state', { state: 'reconnecting', code: 4008, reason: 'slow consumer' });
    client.emit('state', { state: 'connected' });
    client.emit('reload-required', { topic: TOPIC, reason: 'trimmed' });
    client.emit('synced', { recovered: [], reloadRequired: [TOPIC], fresh: [] });
    expect(loads).toHaveLength(2);
    loads[1]!.reject(new Error('HTTP 503'));
    await flush();
    expect(view()).toMatchObject({ key: 'reloading', tone: 'bad', live: false });
    expect(timers).toHaveLength(1);
    timers[0]!();
    client.emit('event', hubEvent('during'));
    loads[2]!.resolve();
    await flush();
    expect(applied.slice(-2)).toEqual(['<snapshot>', 'during']);
    expect(view()).toMatchObject({ key: 'reloaded', label: 'Reloaded: some events were missed', live: true });
  });

  it('a history reset under a live stream reloads at once', async () => {
    const { client, loads, flush } = setup();
    client.emit('state', { state: 'connected' });
    client.emit('synced', { recovered: [], reloadRequired: [], fresh: [TOPIC] });
    loads[0]!.resolve();
    await flush();
    client.emit('reload-required', { topic: TOPIC, reason: 'epoch_changed' });
    expect(loads).toHaveLength(2);
  });

  it('shows a fatal close as offline and closes the client on stop', () => {
    const { client, session, view } = setup();
    client.emit('state', { state: 'failed', code: 4003, reason: 'revoked' });
    expect(view()).toMatchObject({ key: 'offline', detail: 'revoked' });
    session.stop();
    expect(client.closed).toBe(true);
  });
});
