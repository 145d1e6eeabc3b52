import type { DomainEvent } from '@commerce/common';
import type { Bus } from '@commerce/hub/bus';
import { now } from './e2e-protocol.ts';

/**
 * Splits the end-to-end path at the bus: the bench subscribes to the topics the terminals follow,
 * in the server process, and stamps when each order.created / kitchen.ticket.created was notified
 * on the bus (keys as in the terminals' deliveries). commit → bus is capture (WAL decoding, sinks);
 * bus → decrypted is the hub (sealing, sending) and the terminals (reading, decrypting).
 */
export class BusWatch {
  readonly times = new Map<string, number>();
  readonly #unsubscribes: Array<() => Promise<void>> = [];

  async watch(bus: Pick<Bus, 'subscribe'>, topics: readonly string[]): Promise<void> {
    for (const topic of topics) {
      this.#unsubscribes.push(await bus.subscribe(topic, (entry) => this.#seen(entry.event)));
    }
  }

  #seen(event: DomainEvent): void {
    const key = deliveryKey(event);
    if (key && !this.times.has(key)) this.times.set(key, now());
  }

  async stop(): Promise<void> {
    for (const unsubscribe of this.#unsubscribes.splice(0)) await unsubscribe();
  }
}

/** `o:<orderId>` for order.created, `k:<orderId>:<stationId>` for kitchen.ticket.created, else null. */
export function deliveryKey(event: DomainEvent): string | null {
  if (event.type === 'order.created') return `o:${String(event.entity.id)}`;
  if (event.type === 'kitchen.ticket.created')
    return `k:${String(event.entity.orderId)}:${String(event.entity.stationId)}`;
  return null;
}
