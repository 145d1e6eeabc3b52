import { randomBytes } from 'node:crypto';
import type { DemoIds } from '../seed/demo-seed.ts';
import { seededRandom } from '../seed/random.ts';
import type { BootedSystem } from '../start/boot.ts';
import { createApiClient } from './api-client.ts';
import { createDashboard, type Output, type RushSummary } from './dashboard.ts';
import { loadMenu, lowerStock, type MenuVariant, pairFleet } from './fleet.ts';
import { startKitchen } from './kds.ts';
import type { SimulateOptions } from './options.ts';
import { startPos } from './pos.ts';
import { RushStats } from './rush-stats.ts';
import { startShoppers } from './shoppers.ts';
import { startStockClerk } from './stock-clerk.ts';

const DRAIN_MS = 15_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function apiUrlOf(system: Pick<BootedSystem, 'urls'>): string {
  const url = system.urls.find(([label]) => label === 'API')?.[1];
  if (!url) throw new Error('the booted system names no API url');
  return url;
}

/** What a rush needs to know about the system it drives (plain data: it crosses to a child process). */
export interface RushTarget {
  apiUrl: string;
  demo: DemoIds;
  authPrivateKeyPem: string;
  menu: MenuVariant[];
}

export async function rushTarget(system: BootedSystem): Promise<RushTarget> {
  return {
    apiUrl: apiUrlOf(system),
    demo: system.demo,
    authPrivateKeyPem: system.keys.auth.privateKeyPem,
    menu: await loadMenu(system.sql, system.demo.restaurant.merchantId),
  };
}

/**
 * A lunch rush against a running system: pair the devices, lower some stock, connect the screens,
 * then POS orders, kitchen work, stock deliveries and storefront searches for `duration` seconds,
 * with the live view each second. Stops itself (or on `signal`), lets what is under way finish,
 * closes every terminal and returns the figures. The system itself is the caller's to stop.
 */
export async function runRush(deps: {
  target: RushTarget;
  options: SimulateOptions;
  say: (line: string) => void;
  signal?: AbortSignal;
  out?: Output;
}): Promise<RushSummary> {
  const { target, options, say } = deps;
  const api = createApiClient(target.apiUrl);
  const rnd = seededRandom(options.seed);
  const runId = randomBytes(3).toString('hex');
  const merchantId = target.demo.restaurant.merchantId;

  say(`pairing ${options.pos} POS terminals, ${options.kds} KDS screens and a stock feed through the api...`);
  const fleet = await pairFleet({
    api,
    menu: target.menu,
    demo: target.demo,
    authPrivateKeyPem: target.authPrivateKeyPem,
    pos: options.pos,
    kds: options.kds,
    runId,
  });
  const specials = await lowerStock({
    api,
    token: fleet.ownerToken,
    menu: fleet.menu,
    locations: target.demo.restaurant.branches.map((b) => b.locationId),
    count: options.lowStockSkus,
    seed: options.seed + 1,
  });
  if (specials.length) say(`low stock on ${specials.map((s) => s.sku).join(', ')}`);

  const stats = new RushStats();
  const common = { api, fleet, merchantId, stats, rnd };
  const parts: Array<{ clients?: { close(): void; state: string }[]; drain(): Promise<void>; close?(): void }> = [];
  try {
    say('connecting the screens to the hub...');
    parts.push(await startStockClerk({ ...common, restockDelayMs: 8_000, restockQuantity: 40 }));
    parts.push(await startKitchen({ ...common, prepMs: options.prepMs, maxInFlight: options.maxInFlight }));
    stats.startedAt = performance.now();
    parts.push(await startPos({ ...common, ordersPerS: options.ordersPerS, maxInFlight: options.maxInFlight, runId }));
    parts.push(startShoppers({ api, stats, rnd, shoppers: options.shoppers, searchesPerS: options.searchesPerS }));
    stats.startedAt = performance.now();

    const clients = parts.flatMap((p) => p.clients ?? []);
    const gauges = () => ({
      connected: clients.filter((c) => c.state === 'connected').length,
      terminals: clients.length,
      targetPerS: options.ordersPerS,
    });
    const dashboard = createDashboard(stats, deps.out);
    await new Promise<void>((resolve) => {
      const interval = setInterval(() => {
        dashboard.tick(gauges());
        if (stats.elapsedS >= options.duration) finish();
      }, 1_000);
      const finish = () => {
        clearInterval(interval);
        deps.signal?.removeEventListener('abort', finish);
        resolve();
      };
      deps.signal?.addEventListener('abort', finish);
    });
    const seconds = stats.elapsedS;
    say('rush over: waiting for the orders and kitchen calls under way...');
    // arrivals stop first, then what they started, then the screens see the last events (bounded:
    // an overloaded system must not keep the simulator from stopping)
    const deadline = performance.now() + DRAIN_MS;
    let cut = false;
    for (const part of [...parts].reverse()) {
      const left = deadline - performance.now();
      const drained = await Promise.race([part.drain().then(() => true), sleep(Math.max(0, left)).then(() => false)]);
      if (!drained) cut = true;
    }
    if (cut) say(`some calls were still under way after ${DRAIN_MS / 1000} s: not waiting for them`);
    await sleep(1_000);
    const connectedAtEnd = gauges().connected;
    return {
      seconds,
      targetPerS: options.ordersPerS,
      terminals: { pos: fleet.pos.length, kds: fleet.kds.length, stockFeed: 1, connectedAtEnd },
      stats,
    };
  } finally {
    for (const part of parts) part.close?.();
  }
}
