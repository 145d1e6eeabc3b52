import { topics } from '@commerce/common';
import { seededRandom } from '../seed/random.ts';
import { type ApiClient, createApiClient } from '../simulate/api-client.ts';
import { mintOwnerToken } from '../simulate/fleet.ts';
import { apiUrlOf } from '../simulate/rush.ts';
import type { BootedSystem } from '../start/boot.ts';
import type { Subscribers } from './e2e-analysis.ts';
import type { BranchPlan, LineChoice, TerminalPlan } from './e2e-protocol.ts';

export interface E2ePlan {
  apiUrl: string;
  hub: { url: string; publicKey: string };
  branches: BranchPlan[];
  terminals: TerminalPlan[];
  subscribers: Subscribers;
  menu: LineChoice[];
  topicCount: number;
}

const STATION_CODES = ['bar', 'expo', 'fry', 'grill'];

async function ok<T>(api: ApiClient, method: 'POST' | 'PUT', path: string, token: string, body: unknown): Promise<T> {
  const response = await api.call<T>(method, path, { token, body });
  if (response.status !== 200 && response.status !== 201) {
    throw new Error(`${method} ${path} → ${response.status} ${JSON.stringify(response.body).slice(0, 300)}`);
  }
  return response.body;
}

async function inParallel<T>(items: readonly T[], parallel: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let index = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (index < items.length) await fn(items[index++]!);
    }),
  );
}

/**
 * The benchmark's restaurant, built through the api like an owner would: the demo's branches plus
 * new ones (each with its kitchen location and the four stations), plenty of stock for the menu
 * lines the load orders, and `terminals` devices paired and spread evenly over every branch's orders
 * topic and kitchen station topics.
 */
export async function prepareE2e(
  system: BootedSystem,
  options: { branches: number; terminals: number; menuSize: number; seed: number },
): Promise<E2ePlan> {
  const apiUrl = apiUrlOf(system);
  const api = createApiClient(apiUrl);
  const owner = await mintOwnerToken(system.keys.auth.privateKeyPem, system.demo);
  const restaurant = system.demo.restaurant;
  const all = restaurant.branches.map((b) => ({
    branchId: b.id,
    locationId: b.locationId,
    stations: { ...b.stations },
  }));
  for (let i = all.length; i < options.branches; i++) {
    const branch = await ok<{ id: string }>(api, 'POST', '/branches', owner, { name: `Bench branch ${i + 1}` });
    const stations: Record<string, string> = {};
    for (const code of STATION_CODES) {
      const station = await ok<{ id: string }>(api, 'POST', '/stations', owner, {
        branch_id: branch.id,
        code,
        name: code,
      });
      stations[code] = station.id;
    }
    const location = await ok<{ id: string }>(api, 'POST', '/locations', owner, {
      name: `Bench kitchen ${i + 1}`,
      kind: 'kitchen',
      branch_id: branch.id,
    });
    all.push({ branchId: branch.id, locationId: location.id, stations });
  }
  const branches = all.slice(0, options.branches);

  const rows = await system.sql<{ variant_id: string; station_code: string | null }[]>`
    select v.id as variant_id, p.station_code
    from product_variants v join products p on p.id = v.product_id and p.merchant_id = v.merchant_id
    where v.merchant_id = ${restaurant.merchantId} and p.status = 'published' and v.active order by v.id`;
  const menu = seededRandom(options.seed)
    .sample(rows, options.menuSize)
    .map((r) => ({ variantId: r.variant_id, stationCode: r.station_code }));
  // enough that no order of the run is short of stock
  const receipts = branches.flatMap((b) => menu.map((m) => ({ variant_id: m.variantId, location_id: b.locationId })));
  await inParallel(receipts, 8, (r) => ok(api, 'POST', '/inventory/receive', owner, { ...r, quantity: 100_000 }));

  // every branch: its orders topic (POS devices) and one kitchen topic per station (KDS devices)
  const slots = branches.flatMap((b) => [
    { branch: b, station: null as string | null },
    ...STATION_CODES.filter((code) => b.stations[code]).map((code) => ({ branch: b, station: b.stations[code]! })),
  ]);
  const terminals: TerminalPlan[] = [];
  const posTokens = new Map<string, string>();
  const subscribers = { orders: new Map<string, string[]>(), kitchen: new Map<string, string[]>() };
  let hub: E2ePlan['hub'] | undefined;
  const devices = Array.from({ length: options.terminals }, (_, i) => ({ i, slot: slots[i % slots.length]! }));
  const paired: Array<{ token: string; hub: { url: string; public_key: string } }> = new Array(devices.length);
  await inParallel(devices, 8, async ({ i, slot }) => {
    const body = slot.station
      ? { kind: 'kds', name: `Bench KDS ${i + 1}`, branch_id: slot.branch.branchId, station_ids: [slot.station] }
      : { kind: 'pos', name: `Bench POS ${i + 1}`, branch_id: slot.branch.branchId };
    paired[i] = await ok(api, 'POST', '/terminals', owner, body);
  });
  for (const { i, slot } of devices) {
    const device = paired[i]!;
    hub ??= { url: device.hub.url, publicKey: device.hub.public_key };
    const { branchId } = slot.branch;
    if (slot.station) {
      const name = `kds-${i}`;
      terminals.push({
        token: device.token,
        name,
        topics: [topics.kitchen(restaurant.merchantId, branchId, slot.station)],
      });
      subscribers.kitchen.set(slot.station, [...(subscribers.kitchen.get(slot.station) ?? []), name]);
    } else {
      const name = `pos-${i}`;
      terminals.push({ token: device.token, name, topics: [topics.orders(restaurant.merchantId, branchId)] });
      subscribers.orders.set(branchId, [...(subscribers.orders.get(branchId) ?? []), name]);
      if (!posTokens.has(branchId)) posTokens.set(branchId, device.token);
    }
  }
  const missingPos = branches.filter((b) => !posTokens.has(b.branchId));
  if (missingPos.length) throw new Error(`too few terminals: ${missingPos.length} branch(es) without a POS device`);
  return {
    apiUrl,
    hub: hub!,
    branches: branches.map((b) => ({
      branchId: b.branchId,
      posToken: posTokens.get(b.branchId)!,
      stations: b.stations,
    })),
    terminals,
    subscribers,
    menu,
    topicCount: slots.length,
  };
}
