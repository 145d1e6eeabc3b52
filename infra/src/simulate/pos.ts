import { topics } from '@commerce/common';
import type { HubClient } from '@commerce/sdk';
import type { seededRandom } from '../seed/random.ts';
import { type ApiClient, errorLabel } from './api-client.ts';
import { startArrivals } from './arrivals.ts';
import type { Fleet, MenuVariant } from './fleet.ts';
import type { RushStats } from './rush-stats.ts';
import { connectAll, connectTerminal } from './terminal.ts';

type Random = ReturnType<typeof seededRandom>;

export interface PosDeps {
  api: ApiClient;
  fleet: Fleet;
  merchantId: string;
  stats: RushStats;
  rnd: Random;
  ordersPerS: number;
  maxInFlight: number;
  runId: string;
}

/** 1..6 distinct menu lines, mostly single portions, sometimes a note for the kitchen. */
export function orderLines(menu: readonly MenuVariant[], rnd: Random) {
  return rnd.sample(menu, rnd.int(1, 6)).map((variant) => {
    const roll = rnd.next();
    return {
      variant_id: variant.variantId,
      quantity: roll < 0.8 ? 1 : roll < 0.95 ? 2 : 3,
      ...(rnd.next() < 0.1
        ? { note: rnd.pick(['no onions', 'extra crispy', 'allergy: nuts', 'well done', 'no ice']) }
        : {}),
    };
  });
}

/**
 * The POS terminals: each shows its branch's live order board (subscribed to the orders topic) and
 * places orders through the api with its device token. Orders arrive open-loop at the target rate;
 * with `maxInFlight` requests outstanding a new arrival is shed and counted, never queued.
 */
export async function startPos(deps: PosDeps) {
  const { api, fleet, stats, rnd } = deps;
  const clients: HubClient[] = await connectAll(fleet.pos, (device) =>
    connectTerminal({
      url: fleet.hub.url,
      token: device.token,
      publicKeyPem: fleet.hub.publicKey,
      name: device.name,
      topics: [topics.orders(deps.merchantId, device.branchId)],
      onEvent: (event) => {
        stats.eventsReceived++;
        if (event.occurredAt !== null) stats.posEvent.record(Date.now() - event.occurredAt);
      },
      onRejected: (reason) => stats.rejected(reason),
      onReload: () => stats.reloads++,
    }),
  );
  let inFlight = 0;
  let sequence = 0;
  const inflight = new Set<Promise<void>>();
  const place = async () => {
    const device = rnd.pick(fleet.pos);
    const n = ++sequence;
    const body = {
      channel: 'pos',
      branch_id: device.branchId,
      table_label: `T${rnd.int(1, 40)}`,
      lines: orderLines(fleet.menu, rnd),
    };
    try {
      const response = await api.call('POST', '/orders', {
        token: device.token,
        body,
        idempotencyKey: `rush-${deps.runId}-${n}`,
      });
      stats.orderApi.record(response.ms);
      if (response.status === 201) stats.ordersPlaced++;
      else if (response.status === 409 && errorLabel(response).includes('stock')) stats.ordersSoldOut++;
      else stats.error(`POST /orders ${errorLabel(response)}`);
    } catch (error) {
      stats.error(`POST /orders ${(error as Error).message}`);
    }
  };
  const arrivals = startArrivals(deps.ordersPerS, rnd.next, () => {
    stats.ordersArrived++;
    if (inFlight >= deps.maxInFlight) {
      stats.ordersShed++;
      return;
    }
    inFlight++;
    const done: Promise<void> = place().finally(() => {
      inFlight--;
      inflight.delete(done);
    });
    inflight.add(done);
  });
  return {
    clients,
    /** stop new arrivals, then wait for the orders already sent */
    async drain() {
      arrivals.stop();
      await Promise.all(inflight);
    },
    close() {
      for (const client of clients) client.close();
    },
  };
}
