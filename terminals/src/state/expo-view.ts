import { isTicketReady, type KitchenBoard, openTickets } from './kitchen-board.ts';
import type { KitchenTicket } from './kitchen-types.ts';

export interface ExpoOrder {
  orderId: string;
  tableLabel: string | null;
  channel: string;
  /** the oldest ticket's time: when the order came in */
  createdAt: number;
  /** the order's open tickets, one per station, in station order */
  tickets: KitchenTicket[];
  /** every station has every item ready: the order can go out */
  ready: boolean;
  readyStations: number;
}

/** The pass: open tickets of every station grouped by order, oldest order first. */
export function expoOrders(board: KitchenBoard, stationOrder: readonly string[] = []): ExpoOrder[] {
  const byOrder = new Map<string, KitchenTicket[]>();
  for (const t of openTickets(board)) {
    const list = byOrder.get(t.orderId);
    if (list) list.push(t);
    else byOrder.set(t.orderId, [t]);
  }
  const rank = (stationId: string) => {
    const i = stationOrder.indexOf(stationId);
    return i === -1 ? stationOrder.length : i;
  };
  const orders: ExpoOrder[] = [];
  for (const [orderId, tickets] of byOrder) {
    tickets.sort((a, b) => rank(a.stationId) - rank(b.stationId) || a.stationId.localeCompare(b.stationId));
    const readyStations = tickets.filter(isTicketReady).length;
    orders.push({
      orderId,
      tableLabel: tickets.find((t) => t.tableLabel)?.tableLabel ?? null,
      channel: tickets[0]!.channel,
      createdAt: Math.min(...tickets.map((t) => t.createdAt)),
      tickets,
      ready: readyStations === tickets.length,
      readyStations,
    });
  }
  return orders.sort(
    (a, b) => a.createdAt - b.createdAt || a.orderId.length - b.orderId.length || (a.orderId < b.orderId ? -1 : 1),
  );
}
