import { describe, expect, it } from 'vitest';
import {
  type ConnectionInput,
  type ConnectionState,
  closeReason,
  connectionView,
  initialConnection,
  NOTICE_MS,
  reduceConnection,
} from './connection-state.ts';

const TOPICS = ['m:1:b:2:kitchen:3', 'm:1:b:2:kitchen:4'];
const run = (state: ConnectionState, inputs: ConnectionInput[], now = 1000) =>
  inputs.reduce((s, i) => reduceConnection(s, i, now), state);
const key = (state: ConnectionState, now = 1000) => connectionView(state, now).key;

const firstLoad: ConnectionInput[] = [
  { type: 'connecting', attempt: 1 },
  { type: 'connected' },
  { type: 'reload-started' },
  { type: 'subscribed', topic: TOPICS[0]!, recovery: null },
  { type: 'subscribed', topic: TOPICS[1]!, recovery: null },
  { type: 'reload-done' },
];
const drop: ConnectionInput = {
  type: 'disconnected',
  code: 1006,
  reason: 'connection lost',
  fatal: false,
  retryInMs: 500,
};

describe('connection state', () => {
  it('is not live until every topic is subscribed and the first load is done', () => {
    let s = initialConnection(TOPICS);
    const seen: string[] = [];
    for (const input of firstLoad) {
      s = reduceConnection(s, input, 1000);
      seen.push(`${key(s)}:${connectionView(s, 1000).live}`);
    }
    expect(seen).toEqual([
      'connecting:false',
      'connecting:false',
      'connecting:false',
      'connecting:false',
      'connecting:false',
      'connected:true',
    ]);
  });

  it('says reconnecting after a drop, then recovered with the number of replayed events', () => {
    let s = run(initialConnection(TOPICS), [...firstLoad, drop, { type: 'connecting', attempt: 2 }]);
    expect(connectionView(s, 1000)).toMatchObject({ key: 'reconnecting', live: false, tone: 'warn' });
    s = run(s, [
      { type: 'connected' },
      { type: 'subscribed', topic: TOPICS[0]!, recovery: { recovered: true, count: 2 } },
    ]);
    expect(connectionView(s, 1000).live).toBe(false);
    s = run(s, [{ type: 'subscribed', topic: TOPICS[1]!, recovery: { recovered: true, count: 1 } }], 2000);
    expect(connectionView(s, 2000)).toMatchObject({ key: 'recovered', live: true, detail: '3 missed events replayed' });
    expect(key(s, 2000 + NOTICE_MS)).toBe('connected');
  });

  it('when history cannot cover the gap it stays not-live until the reload, then says reloaded', () => {
    let s = run(initialConnection(TOPICS), [...firstLoad, drop, { type: 'connected' }]);
    s = run(s, [
      { type: 'subscribed', topic: TOPICS[0]!, recovery: { recovered: true, count: 0 } },
      { type: 'subscribed', topic: TOPICS[1]!, recovery: { recovered: false } },
    ]);
    expect(connectionView(s, 1000).live).toBe(false);
    s = run(s, [{ type: 'reload-started' }, { type: 'reload-failed', message: 'HTTP 503' }]);
    expect(connectionView(s, 1000)).toMatchObject({ key: 'reloading', tone: 'bad', live: false });
    s = run(s, [{ type: 'reload-started' }, { type: 'reload-done' }]);
    expect(connectionView(s, 1000)).toMatchObject({
      key: 'reloaded',
      label: 'Reloaded: some events were missed',
      live: true,
    });
    expect(key(run(s, [{ type: 'dismiss' }]))).toBe('connected');
  });

  it('goes offline for good on a fatal close or a refused topic', () => {
    const fatal = run(initialConnection(TOPICS), [
      ...firstLoad,
      { type: 'disconnected', code: 4003, reason: 'revoked', fatal: true, retryInMs: null },
      { type: 'connecting', attempt: 3 },
    ]);
    expect(connectionView(fatal, 1000)).toMatchObject({ key: 'offline', detail: 'revoked', live: false });
    const refused = run(initialConnection(TOPICS), [
      { type: 'connected' },
      { type: 'refused', topic: TOPICS[0]!, reason: 'forbidden_station' },
    ]);
    expect(connectionView(refused, 1000).detail).toContain('forbidden_station');
  });

  it('says why a connection closed in words', () => {
    expect(closeReason(1006, '')).toBe('connection lost');
    expect(closeReason(4003, undefined)).toBe('this screen was revoked');
    expect(closeReason(4999, '')).toBe('closed (4999)');
    expect(closeReason(1012, 'draining')).toBe('draining');
  });
});
