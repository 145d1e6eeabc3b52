/**
 * What a device token says about itself, read without verifying it (the api and the hub verify;
 * the page only needs to know which merchant, branch and stations it serves to pick its topics).
 */
export interface TokenClaims {
  kind: 'staff' | 'terminal';
  id: string;
  merchantId: string;
  roles: string[];
  branchIds: string[];
  stationIds: string[];
  /** ms since epoch */
  expiresAt: number;
}

export function readTokenClaims(token: string): TokenClaims | null {
  const parts = token.trim().split('.');
  if (parts.length !== 3 || !parts[1]) return null;
  let payload: unknown;
  try {
    const b64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
    const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
    payload = JSON.parse(new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0))));
  } catch {
    return null;
  }
  if (typeof payload !== 'object' || payload === null) return null;
  const p = payload as Record<string, unknown>;
  const sub = typeof p.sub === 'string' ? /^(staff|terminal):([1-9][0-9]*)$/.exec(p.sub) : null;
  if (!sub || typeof p.mid !== 'string' || typeof p.exp !== 'number') return null;
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  return {
    kind: sub[1] as 'staff' | 'terminal',
    id: sub[2]!,
    merchantId: p.mid,
    roles: strings(p.roles),
    branchIds: strings(p.branches),
    stationIds: strings(p.stations),
    expiresAt: p.exp * 1000,
  };
}
