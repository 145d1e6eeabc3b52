import { type DomainEvent, topics } from '@commerce/common';
import type { HubClient } from '@commerce/sdk';
import type { seededRandom } from '../seed/random.ts';
import { type ApiClient, errorLabel } from './api-client.ts';
import type { Fleet, KdsDevice } from './fleet.ts';
import { createLimiter, type RushStats } from './rush-stats.ts';
import { connectAll, connectTerminal } from './terminal.ts';

type Random = ReturnType<typeof seededRandom>;

interface TicketEntity {
  ticketId: string;
  stationId: string;
  action: string;
  items: Array<{ id: string; status: string }>;
}

export interface KitchenDeps {
  api: ApiClient;
  fleet: Fleet;
  merchantId: string;
  stats: RushStats;
  rnd: Random;
  prepMs: number;
  maxInFlight: number;
}

/**
 * The KDS screens. Each shows its stations' tickets live from the hub; the first screen of a
 * station is the one the cooks touch: a new ticket's items go queued → preparing → ready on a
 * timeline around `prepMs`, then the ticket is bumped, each step an api call with that screen's
 * device token. Other screens of the same station only display (and measure latency).
 */
export async function startKitchen(deps: KitchenDeps) {
  const { api, fleet, stats, rnd } = deps;
  const leaderOf = new Map<string, KdsDevice>();
  for (const device of fleet.kds)
    for (const s of device.stations) if (!leaderOf.has(s.stationId)) leaderOf.set(s.stationId, device);
  const limiter = createLimiter(deps.maxInFlight);
  stats.kitchenInFlightCap = deps.maxInFlight;
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const work = new Set<Promise<void>>();
  let stopped = false;

  const later = (ms: number, fn: () => Promise<void>) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (stopped) return;
      const task: Promise<void> = fn().finally(() => work.delete(task));
      work.add(task);
    }, ms);
    timers.add(timer);
  };

  const kitchenCall = async (device: KdsDevice, path: string): Promise<boolean> => {
    if (stopped) return false;
    try {
      // a call still waiting for a slot when the rush ends is dropped, not sent
      const call = limiter.run(async () => (stopped ? null : api.call('POST', path, { token: device.token })));
      // a tap that found every slot taken waits in line (run() queued it before its first await)
      stats.kitchenWaitingPeak = Math.max(stats.kitchenWaitingPeak, limiter.waiting);
      const response = await call;
      if (!response) return false;
      stats.kitchenApi.record(response.ms);
      if (response.status === 200) return true;
      stats.error(`POST ${path.replace(/\d+/g, '{id}')} ${errorLabel(response)}`);
    } catch (error) {
      stats.error(`POST ${path.replace(/\d+/g, '{id}')} ${(error as Error).message}`);
    }
    return false;
  };

  const cook = (device: KdsDevice, ticket: TicketEntity) => {
    const queued = ticket.items.filter((item) => item.status === 'queued');
    let remaining = queued.length;
    const bumpAt = () =>
      later(rnd.int(200, 800), async () => {
        if (await kitchenCall(device, `/kitchen/tickets/${ticket.ticketId}/bump`)) stats.ticketsBumped++;
      });
    if (remaining === 0) return bumpAt();
    for (const item of queued) {
      const startAt = deps.prepMs * (0.1 + 0.4 * rnd.next());
      const readyAfter = deps.prepMs * (0.5 + rnd.next());
      later(startAt, async () => {
        if (!(await kitchenCall(device, `/kitchen/items/${item.id}/advance`))) return;
        stats.itemsAdvanced++;
        later(readyAfter, async () => {
          if (!(await kitchenCall(device, `/kitchen/items/${item.id}/advance`))) return;
          stats.itemsAdvanced++;
          if (--remaining === 0) bumpAt();
        });
      });
    }
  };

  const onEvent = (device: KdsDevice, event: DomainEvent) => {
    stats.eventsReceived++;
    if (event.occurredAt !== null) stats.kdsEvent.record(Date.now() - event.occurredAt);
    const ticket = event.entity as unknown as TicketEntity;
    if (leaderOf.get(ticket.stationId) !== device) return;
    if (event.type === 'kitchen.ticket.created') {
      stats.ticketsCreated++;
      stats.openTickets.add(ticket.ticketId);
      cook(device, ticket);
    } else if (event.type === 'kitchen.ticket.updated' && ticket.action === 'bumped') {
      stats.openTickets.delete(ticket.ticketId);
    }
  };

  const clients: HubClient[] = await connectAll(fleet.kds, (device) =>
    connectTerminal({
      url: fleet.hub.url,
      token: device.token,
      publicKeyPem: fleet.hub.publicKey,
      name: device.name,
      topics: device.stations.map((s) => topics.kitchen(deps.merchantId, s.branchId, s.stationId)),
      onEvent: (event) => onEvent(device, event),
      onRejected: (reason) => stats.rejected(reason),
      onReload: () => stats.reloads++,
    }),
  );
  return {
    clients,
    /** cooks stop starting new steps; the calls under way finish */
    async drain() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.all(work);
    },
    close() {
      for (const client of clients) client.close();
    },
  };
}
