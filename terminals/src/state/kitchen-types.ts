export const ITEM_STATUSES = ['queued', 'preparing', 'ready', 'served'] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];
/** 'cancelled': the order was cancelled; final, never shown and never offered for recall. */
export type TicketStatus = 'open' | 'bumped' | 'cancelled';

export interface KitchenItem {
  id: string;
  ticketId: string;
  name: string;
  quantity: number;
  note: string | null;
  modifiers: string[];
  status: ItemStatus;
  queuedAt: number | null;
  preparingAt: number | null;
  readyAt: number | null;
  servedAt: number | null;
  updatedAt: number | null;
}

export interface KitchenTicket {
  id: string;
  orderId: string;
  branchId: string;
  stationId: string;
  status: TicketStatus;
  channel: string;
  tableLabel: string | null;
  /** the order's time (the ticket is written in the order's transaction): the KDS timer starts here */
  createdAt: number;
  updatedAt: number | null;
  bumpedAt: number | null;
  recalledAt: number | null;
  cancelledAt: number | null;
  items: Record<string, KitchenItem>;
  /** false while only the ticket row is known and its items have not arrived yet */
  itemsKnown: boolean;
}

/** An item tap moves it one step; a station screen stops at ready, the expo may serve. */
export function nextItemStatus(status: ItemStatus, mode: 'station' | 'expo'): ItemStatus | null {
  switch (status) {
    case 'queued':
      return 'preparing';
    case 'preparing':
      return 'ready';
    case 'ready':
      return mode === 'expo' ? 'served' : null;
    case 'served':
      return null;
  }
}

export function isItemStatus(value: unknown): value is ItemStatus {
  return typeof value === 'string' && (ITEM_STATUSES as readonly string[]).includes(value);
}
