import { topics } from '@commerce/common';
import type { HubClient } from '@commerce/sdk';
import type { seededRandom } from '../seed/random.ts';
import { type ApiClient, errorLabel } from './api-client.ts';
import type { Fleet } from './fleet.ts';
import type { RushStats } from './rush-stats.ts';
import { connectTerminal } from './terminal.ts';

type Random = ReturnType<typeof seededRandom>;

interface AlertEntity {
  alert: 'low' | 'out' | 'restocked';
  variantId: string;
  locationId: string;
}

/**
 * The stock feed screen and the clerk who watches it: every stock.low / stock.out alert from the hub
 * is counted, and after a while (the clerk is busy: `restockDelayMs` ± half) a delivery is received
 * through the api, which the hub then reports back as stock.restocked. One pending delivery per SKU
 * and location.
 */
export async function startStockClerk(deps: {
  api: ApiClient;
  fleet: Fleet;
  merchantId: string;
  stats: RushStats;
  rnd: Random;
  restockDelayMs: number;
  restockQuantity: number;
}) {
  const { api, fleet, stats, rnd } = deps;
  const pending = new Set<string>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const work = new Set<Promise<void>>();
  let stopped = false;

  const receive = async (alert: AlertEntity) => {
    try {
      const response = await api.call('POST', '/inventory/receive', {
        token: fleet.stockFeed.token,
        body: {
          variant_id: alert.variantId,
          location_id: alert.locationId,
          quantity: deps.restockQuantity,
          note: 'rush delivery',
        },
      });
      if (response.status === 200) stats.restocks++;
      else stats.error(`POST /inventory/receive ${errorLabel(response)}`);
    } catch (error) {
      stats.error(`POST /inventory/receive ${(error as Error).message}`);
    } finally {
      pending.delete(`${alert.variantId}:${alert.locationId}`);
    }
  };

  const client: HubClient = await connectTerminal({
    url: fleet.hub.url,
    token: fleet.stockFeed.token,
    publicKeyPem: fleet.hub.publicKey,
    name: fleet.stockFeed.name,
    topics: [topics.stockAlerts(deps.merchantId)],
    onEvent: (event) => {
      stats.eventsReceived++;
      const alert = event.entity as unknown as AlertEntity;
      if (alert.alert in stats.alerts) stats.alerts[alert.alert]++;
      if (alert.alert === 'restocked' || stopped) return;
      const key = `${alert.variantId}:${alert.locationId}`;
      if (pending.has(key)) return;
      pending.add(key);
      const timer = setTimeout(
        () => {
          timers.delete(timer);
          if (stopped) return;
          const task: Promise<void> = receive(alert).finally(() => work.delete(task));
          work.add(task);
        },
        deps.restockDelayMs * (0.5 + rnd.next()),
      );
      timers.add(timer);
    },
    onRejected: (reason) => stats.rejected(reason),
    onReload: () => stats.reloads++,
  });
  return {
    clients: [client],
    async drain() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      await Promise.all(work);
    },
    close() {
      client.close();
    },
  };
}
