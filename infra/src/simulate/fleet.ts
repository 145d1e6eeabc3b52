import { createTokenSigner } from '@commerce/common';
import type { Sql } from 'postgres';
import type { DemoIds } from '../seed/demo-seed.ts';
import { seededRandom } from '../seed/random.ts';
import { AUTH_AUDIENCE, AUTH_ISSUER } from '../start/system.ts';
import type { ApiClient } from './api-client.ts';

export interface MenuVariant {
  variantId: string;
  sku: string;
  stationCode: string | null;
}

export interface Station {
  branchId: string;
  locationId: string;
  stationId: string;
  code: string;
}

export interface PairedDevice {
  terminalId: string;
  token: string;
  name: string;
}

export interface PosDevice extends PairedDevice {
  branchId: string;
  locationId: string;
}

export interface KdsDevice extends PairedDevice {
  stations: Station[];
}

export interface Fleet {
  ownerToken: string;
  pos: PosDevice[];
  kds: KdsDevice[];
  stockFeed: PairedDevice;
  menu: MenuVariant[];
  stations: Station[];
  hub: { url: string; publicKey: string };
}

/** A token for the demo restaurant's owner, signed with the system's auth key (as a login would). */
export async function mintOwnerToken(authPrivateKeyPem: string, demo: DemoIds): Promise<string> {
  const sign = await createTokenSigner({
    privateKeyPem: authPrivateKeyPem,
    issuer: AUTH_ISSUER,
    audience: AUTH_AUDIENCE,
  });
  return sign({
    kind: 'staff',
    id: demo.restaurant.staff.owner.id,
    merchantId: demo.restaurant.merchantId,
    roles: ['owner'],
    ttlSeconds: 6 * 3600,
  });
}

interface Paired {
  terminal: { id: string };
  token: string;
  hub: { url: string | null; public_key: string | null };
}

/**
 * The restaurant's devices for a rush, paired through the api like a manager would (POST /terminals
 * with an owner token), so each device acts with its own device token and the hub checks it like
 * any real one.
 */
export async function pairFleet(deps: {
  api: ApiClient;
  menu: MenuVariant[];
  demo: DemoIds;
  authPrivateKeyPem: string;
  pos: number;
  kds: number;
  runId: string;
}): Promise<Fleet> {
  const { api, demo } = deps;
  const restaurant = demo.restaurant;
  const ownerToken = await mintOwnerToken(deps.authPrivateKeyPem, demo);
  let hub: Fleet['hub'] | undefined;
  const pair = async (body: Record<string, unknown>): Promise<Paired> => {
    const response = await api.call<Paired>('POST', '/terminals', { token: ownerToken, body });
    if (response.status !== 201) {
      throw new Error(`pairing ${String(body.name)} failed: ${response.status} ${JSON.stringify(response.body)}`);
    }
    const { url, public_key: publicKey } = response.body.hub;
    if (!url || !publicKey) throw new Error('the api does not announce the hub (HUB_PUBLIC_URL / HUB_PUBLIC_KEY)');
    hub ??= { url, publicKey };
    return response.body;
  };

  const stations: Station[] = restaurant.branches.flatMap((branch) =>
    Object.entries(branch.stations)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([code, stationId]) => ({ branchId: branch.id, locationId: branch.locationId, stationId, code })),
  );

  const pos: PosDevice[] = [];
  for (let i = 0; i < deps.pos; i++) {
    const branch = restaurant.branches[i % restaurant.branches.length]!;
    const name = `Rush POS ${i + 1} (${branch.name}) ${deps.runId}`;
    const paired = await pair({ kind: 'pos', name, branch_id: branch.id });
    pos.push({
      terminalId: paired.terminal.id,
      token: paired.token,
      name,
      branchId: branch.id,
      locationId: branch.locationId,
    });
  }

  const kds: KdsDevice[] = [];
  for (const [i, screenStations] of assignScreens(stations, deps.kds).entries()) {
    const branchId = screenStations[0]!.branchId;
    const name = `Rush KDS ${i + 1} ${screenStations.map((s) => s.code).join('+')} ${deps.runId}`;
    const stationIds = screenStations.map((s) => s.stationId);
    const paired = await pair({ kind: 'kds', name, branch_id: branchId, station_ids: stationIds });
    kds.push({ terminalId: paired.terminal.id, token: paired.token, name, stations: screenStations });
  }

  const feedName = `Rush stock feed ${deps.runId}`;
  const feed = await pair({ kind: 'stock_feed', name: feedName, roles: ['stock_clerk'] });
  const stockFeed = { terminalId: feed.terminal.id, token: feed.token, name: feedName };

  return {
    ownerToken,
    pos,
    kds,
    stockFeed,
    stations,
    menu: deps.menu,
    hub: hub!,
  };
}

/** The restaurant's published menu lines, read once from Postgres (read-only setup, not business writes). */
export async function loadMenu(sql: Sql, merchantId: string): Promise<MenuVariant[]> {
  const rows = await sql<{ variant_id: string; sku: string; station_code: string | null }[]>`
    select v.id as variant_id, v.sku, p.station_code
    from product_variants v join products p on p.id = v.product_id and p.merchant_id = v.merchant_id
    where v.merchant_id = ${merchantId} and p.status = 'published' and v.active
    order by v.id`;
  return rows.map((m) => ({ variantId: m.variant_id, sku: m.sku, stationCode: m.station_code }));
}

/**
 * Which stations each KDS screen shows. Screens are shared out over the branches (a screen's token
 * names one branch, so at least one per branch); within a branch every station gets a screen: with
 * more screens than stations some stations get a second one, with fewer a screen shows several.
 */
export function assignScreens(stations: readonly Station[], screens: number): Station[][] {
  const branches = [...new Set(stations.map((s) => s.branchId))];
  const out: Station[][] = [];
  for (const [b, branchId] of branches.entries()) {
    const own = stations.filter((s) => s.branchId === branchId);
    const count = Math.max(1, Math.floor(screens / branches.length) + (b < screens % branches.length ? 1 : 0));
    const assigned: Station[][] = Array.from({ length: count }, () => []);
    if (count >= own.length) for (let i = 0; i < count; i++) assigned[i]!.push(own[i % own.length]!);
    else for (const [j, station] of own.entries()) assigned[Math.floor((j * count) / own.length)]!.push(station);
    out.push(...assigned);
  }
  return out;
}

/**
 * "Specials" that run low during the rush: counted down to just above a raised alert threshold at
 * every kitchen, so stock.low fires within the first orders and stock.out soon after.
 */
export async function lowerStock(deps: {
  api: ApiClient;
  token: string;
  menu: MenuVariant[];
  locations: string[];
  count: number;
  seed: number;
}): Promise<MenuVariant[]> {
  const rnd = seededRandom(deps.seed);
  const specials = rnd.sample(deps.menu, deps.count);
  for (const variant of specials) {
    const threshold = await deps.api.call('PUT', '/inventory/threshold', {
      token: deps.token,
      body: { variant_id: variant.variantId, threshold: 12 },
    });
    if (threshold.status !== 200) throw new Error(`threshold for ${variant.sku}: ${threshold.status}`);
    for (const locationId of deps.locations) {
      const counted = await deps.api.call('POST', '/inventory/count', {
        token: deps.token,
        body: {
          variant_id: variant.variantId,
          location_id: locationId,
          counted: rnd.int(13, 18),
          note: 'rush special',
        },
      });
      if (counted.status !== 200)
        throw new Error(`count for ${variant.sku}: ${counted.status} ${JSON.stringify(counted.body)}`);
    }
  }
  return specials;
}
