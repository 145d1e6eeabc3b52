import { readTokenClaims, type TokenClaims } from './token-claims.ts';

/**
 * A screen's identity, kept in localStorage: its device token and the hub it pins. A paired screen
 * survives reloads and restarts; "forget this screen" clears it.
 */
export type ScreenKind = 'kds' | 'pos' | 'stock_feed';

export interface DeviceRecord {
  v: 1;
  token: string;
  /** the screen's kind (what it was paired as) */
  kind: ScreenKind;
  name: string;
  terminalId: string;
  merchantId: string;
  branchId: string | null;
  /** stations a KDS serves (empty = every station of its branch) */
  stationIds: string[];
  hub: { url: string; publicKey: string };
  pairedAt: number;
}

export const DEVICE_KEY = 'commerce.terminal.device';

export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export function loadDevice(storage: StorageLike): DeviceRecord | null {
  const raw = storage.getItem(DEVICE_KEY);
  if (!raw) return null;
  try {
    const value = JSON.parse(raw) as Partial<DeviceRecord>;
    if (
      value.v !== 1 ||
      typeof value.token !== 'string' ||
      !value.hub ||
      typeof value.hub.url !== 'string' ||
      typeof value.hub.publicKey !== 'string' ||
      !['kds', 'pos', 'stock_feed'].includes(String(value.kind)) ||
      !Array.isArray(value.stationIds)
    ) {
      return null;
    }
    return value as DeviceRecord;
  } catch {
    return null;
  }
}

export function saveDevice(storage: StorageLike, device: DeviceRecord): void {
  storage.setItem(DEVICE_KEY, JSON.stringify(device));
}

export function forgetDevice(storage: StorageLike): void {
  storage.removeItem(DEVICE_KEY);
}

/** The record for a device token given directly (printed demo tokens), with the hub found elsewhere. */
export function deviceFromToken(
  token: string,
  hub: { url: string; publicKey: string },
  options: { kind?: ScreenKind; name?: string; now?: number } = {},
): DeviceRecord | { error: string } {
  const claims = readTokenClaims(token);
  if (!claims) return { error: 'this is not a token' };
  if (claims.kind !== 'terminal') return { error: 'this is a staff token: sign in with it to pair a screen' };
  const kind = options.kind ?? kindFromRoles(claims);
  if (!kind) return { error: 'the token does not say what kind of screen it is for' };
  return {
    v: 1,
    token: token.trim(),
    kind,
    name: options.name ?? `Terminal ${claims.id}`,
    terminalId: claims.id,
    merchantId: claims.merchantId,
    branchId: claims.branchIds[0] ?? null,
    stationIds: claims.stationIds,
    hub,
    pairedAt: options.now ?? Date.now(),
  };
}

/**
 * The record for a pairing answer of the api (`POST /terminals`): `{ terminal, token, hub }`. The
 * hub comes from the answer, else from the server's published config.
 */
export function deviceFromPairing(
  paired: Record<string, unknown>,
  fallbackHub: { url: string; publicKey: string } | null,
  now = Date.now(),
): DeviceRecord | { error: string } {
  const terminal = paired.terminal as Record<string, unknown> | undefined;
  const token = typeof paired.token === 'string' ? paired.token : '';
  const claims = readTokenClaims(token);
  if (!terminal || !claims) return { error: 'the server answered without a device token' };
  const hub = (paired.hub ?? {}) as { url?: string | null; public_key?: string | null };
  const url = hub.url ?? fallbackHub?.url;
  const publicKey = hub.public_key ?? fallbackHub?.publicKey;
  if (!url || !publicKey) return { error: 'the server did not say where the hub is (HUB_PUBLIC_URL and key)' };
  const kind = String(terminal.kind);
  if (kind !== 'kds' && kind !== 'pos' && kind !== 'stock_feed') return { error: `cannot show a ${kind} screen` };
  return {
    v: 1,
    token,
    kind,
    name: String(terminal.name ?? `Terminal ${claims.id}`),
    terminalId: String(terminal.id ?? claims.id),
    merchantId: claims.merchantId,
    branchId: terminal.branch_id ? String(terminal.branch_id) : null,
    stationIds: Array.isArray(terminal.station_ids) ? terminal.station_ids.map(String) : [],
    hub: { url, publicKey },
    pairedAt: now,
  };
}

function kindFromRoles(claims: TokenClaims): ScreenKind | null {
  if (claims.roles.includes('kitchen')) return 'kds';
  if (claims.roles.includes('cashier')) return 'pos';
  if (claims.roles.includes('stock_clerk')) return 'stock_feed';
  return null;
}

/** The page a screen of this kind shows. */
export function homePath(device: Pick<DeviceRecord, 'kind' | 'stationIds'>): string {
  if (device.kind === 'pos') return '/pos';
  if (device.kind === 'stock_feed') return '/stock';
  return '/kds';
}

export function isExpired(device: DeviceRecord, now: number): boolean {
  const claims = readTokenClaims(device.token);
  return claims !== null && claims.expiresAt <= now;
}
