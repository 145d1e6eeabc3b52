/**
 * Test data in the shapes the two sources send: cdc's kitchen event entity (camelCase, see
 * cdc/src/router/entities.ts) and the api's ticket JSON (snake_case, items nested).
 */
export const GRILL = '11';
export const BAR = '13';

export interface ItemFields {
  id: string;
  name?: string;
  quantity?: number;
  status?: string;
  note?: string | null;
  modifiers?: unknown;
  updatedAt?: string;
}

export function ticketFields(id: string, over: Record<string, unknown> = {}) {
  const at = `2026-01-01T12:00:0${id.slice(-1)}.123456Z`;
  return {
    id,
    merchantId: '1',
    branchId: '2',
    stationId: GRILL,
    orderId: `9${id}`,
    status: 'open',
    channel: 'pos',
    tableLabel: `T${id}`,
    createdAt: at,
    updatedAt: at,
    bumpedAt: null,
    recalledAt: null,
    cancelledAt: null,
    ...over,
  };
}

export function itemFields(ticketId: string, item: ItemFields) {
  return {
    ticketId,
    orderId: `9${ticketId}`,
    orderLineId: `7${item.id}`,
    name: 'Burger',
    quantity: 1,
    note: null,
    modifiers: ['no onion'],
    status: 'queued',
    previousStatus: null,
    queuedAt: '2026-01-01T12:00:00.000000Z',
    preparingAt: null,
    readyAt: null,
    servedAt: null,
    updatedAt: '2026-01-01T12:00:00.000000Z',
    ...item,
  };
}

/** kitchen.ticket.created / .updated entity */
export function ticketEvent(
  ticketId: string,
  options: {
    ticket?: Record<string, unknown> | null;
    items?: ItemFields[];
    action?: string;
    removedItemIds?: string[];
  } = {},
) {
  const ticket = options.ticket === null ? null : ticketFields(ticketId, options.ticket ?? {});
  return {
    ticketId,
    orderId: ticket?.orderId ?? `9${ticketId}`,
    branchId: '2',
    stationId: (ticket?.stationId as string | undefined) ?? GRILL,
    action: options.action ?? 'created',
    ticket,
    previousStatus: null,
    items: (options.items ?? []).map((i) => itemFields(ticketId, i)),
    removedItemIds: options.removedItemIds ?? [],
  };
}

/** GET ticket as the api returns it */
export function apiTicket(ticketId: string, over: Record<string, unknown>, items: ItemFields[]) {
  const t = ticketFields(ticketId, over);
  return {
    id: t.id,
    branch_id: t.branchId,
    station_id: t.stationId,
    order_id: t.orderId,
    status: t.status,
    channel: t.channel,
    table_label: t.tableLabel,
    created_at: t.createdAt,
    updated_at: t.updatedAt,
    bumped_at: t.bumpedAt,
    recalled_at: t.recalledAt,
    cancelled_at: t.cancelledAt,
    items: items.map((i) => {
      const f = itemFields(ticketId, i);
      return {
        id: f.id,
        name: f.name,
        quantity: f.quantity,
        note: f.note,
        modifiers: f.modifiers,
        status: f.status,
        queued_at: f.queuedAt,
        preparing_at: f.preparingAt,
        ready_at: f.readyAt,
        served_at: f.servedAt,
        updated_at: f.updatedAt,
      };
    }),
  };
}
