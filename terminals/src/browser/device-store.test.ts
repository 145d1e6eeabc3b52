import { describe, expect, it } from 'vitest';
import {
  DEVICE_KEY,
  type DeviceRecord,
  deviceFromPairing,
  deviceFromToken,
  forgetDevice,
  homePath,
  isExpired,
  loadDevice,
  saveDevice,
} from './device-store.ts';
import { readTokenClaims } from './token-claims.ts';

function memoryStorage() {
  const map = new Map<string, string>();
  return {
    map,
    getItem: (k: string) => map.get(k) ?? null,
    setItem: (k: string, v: string) => void map.set(k, v),
    removeItem: (k: string) => void map.delete(k),
  };
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const jwt = (payload: Record<string, unknown>) => `${b64url({ alg: 'ES256' })}.${b64url(payload)}.c2ln`;
const hub = { url: 'ws://127.0.0.1:3001/ws', publicKey: '-----BEGIN PUBLIC KEY-----\nAAA\n-----END PUBLIC KEY-----' };

const kdsToken = jwt({
  sub: 'terminal:7',
  mid: '1',
  roles: ['terminal', 'kitchen'],
  branches: ['2'],
  stations: ['11'],
  jti: 'x',
  exp: 2_000_000_000,
});

describe('token claims', () => {
  it('reads a token payload and refuses what is not one', () => {
    expect(readTokenClaims(kdsToken)).toEqual({
      kind: 'terminal',
      id: '7',
      merchantId: '1',
      roles: ['terminal', 'kitchen'],
      branchIds: ['2'],
      stationIds: ['11'],
      expiresAt: 2_000_000_000_000,
    });
    expect(readTokenClaims('a.b')).toBeNull();
    expect(readTokenClaims(`x.${b64url({ sub: 'root' })}.y`)).toBeNull();
    expect(readTokenClaims('x.!!!.y')).toBeNull();
  });
});

describe('device store', () => {
  it('keeps a device across loads and forgets it on request', () => {
    const storage = memoryStorage();
    const device = deviceFromToken(kdsToken, hub, { now: 5 }) as DeviceRecord;
    expect(device).toMatchObject({ kind: 'kds', terminalId: '7', branchId: '2', stationIds: ['11'], hub });
    saveDevice(storage, device);
    expect(loadDevice(storage)).toEqual(device);
    forgetDevice(storage);
    expect(loadDevice(storage)).toBeNull();
  });

  it('ignores a damaged record', () => {
    const storage = memoryStorage();
    storage.setItem(DEVICE_KEY, '{"v":1,"token":"x"}');
    expect(loadDevice(storage)).toBeNull();
    storage.setItem(DEVICE_KEY, 'not json');
    expect(loadDevice(storage)).toBeNull();
  });

  it('derives the screen from the token roles and refuses staff tokens', () => {
    const pos = jwt({ sub: 'terminal:8', mid: '1', roles: ['terminal', 'cashier'], branches: ['2'], exp: 2e9 });
    const stock = jwt({ sub: 'terminal:9', mid: '1', roles: ['terminal', 'stock_clerk'], exp: 2e9 });
    const staff = jwt({ sub: 'staff:1', mid: '1', roles: ['owner'], exp: 2e9 });
    expect(homePath(deviceFromToken(pos, hub) as DeviceRecord)).toBe('/pos');
    expect(homePath(deviceFromToken(stock, hub) as DeviceRecord)).toBe('/stock');
    expect(deviceFromToken(staff, hub)).toEqual({ error: expect.stringContaining('staff token') });
    expect(deviceFromToken('junk', hub)).toEqual({ error: 'this is not a token' });
  });

  it('knows when the device token has expired', () => {
    const device = deviceFromToken(kdsToken, hub) as DeviceRecord;
    expect(isExpired(device, 1_999_999_999_000)).toBe(false);
    expect(isExpired(device, 2_000_000_000_000)).toBe(true);
  });
});

describe('device from a pairing answer', () => {
  const answer = (hubUrl: string | null) => ({
    terminal: { id: '7', kind: 'kds', name: 'Grill KDS', branch_id: '2', station_ids: ['11'] },
    token: kdsToken,
    token_type: 'Bearer',
    hub: { url: hubUrl, public_key: hubUrl ? hub.publicKey : null },
  });

  it('keeps the token, the screen and the hub to pin', () => {
    expect(deviceFromPairing(answer(hub.url), null, 9)).toEqual({
      v: 1,
      token: kdsToken,
      kind: 'kds',
      name: 'Grill KDS',
      terminalId: '7',
      merchantId: '1',
      branchId: '2',
      stationIds: ['11'],
      hub,
      pairedAt: 9,
    });
  });

  it('takes the published hub when the answer has none, and fails without any', () => {
    const other = { url: 'ws://hub.example/ws', publicKey: 'PEM' };
    expect(deviceFromPairing(answer(null), other)).toMatchObject({ hub: other });
    expect(deviceFromPairing(answer(null), null)).toEqual({ error: expect.stringContaining('hub') });
    expect(deviceFromPairing({ token: 'x' }, other)).toEqual({ error: expect.stringContaining('token') });
  });
});
