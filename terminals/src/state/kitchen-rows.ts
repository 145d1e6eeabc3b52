import type { ItemStatus, KitchenItem, KitchenTicket, TicketStatus } from './kitchen-types.ts';
import { isItemStatus } from './kitchen-types.ts';
import { camelKeys, defined, idField, intField, isRow, modifierList, type Row, textField, timeField } from './rows.ts';

/**
 * Kitchen entities from either source, as one shape the reducer merges:
 * - a hub event (cdc's KitchenTicketEventEntity): `{ ticketId, stationId, action, ticket | null,
 *   items: [changed items], removedItemIds }`; `kitchen.ticket.created` carries every item;
 * - an api ticket: the ticket's own fields with every item nested under `items`.
 */
export interface KitchenChange {
  ticketId: string;
  stationId: string | undefined;
  ticket: TicketPatch | null;
  items: ItemPatch[];
  /** the change lists every item of the ticket (a created event, an api ticket) */
  itemsComplete: boolean;
  removedItemIds: string[];
  removed: boolean;
}

export type TicketPatch = Partial<Omit<KitchenTicket, 'items' | 'itemsKnown'>> & { id: string };
export type ItemPatch = Partial<KitchenItem> & { id: string; ticketId: string };

/** A `kitchen.ticket.*` event's entity. */
export function parseKitchenEvent(eventType: string, entity: unknown): KitchenChange | null {
  if (!isRow(entity)) return null;
  const e = camelKeys(entity);
  const ticketId = idField(e, 'ticketId');
  if (!ticketId) return null;
  const ticket = isRow(e.ticket) ? parseTicket(camelKeys(e.ticket)) : null;
  return {
    ticketId,
    stationId: idField(e, 'stationId') ?? ticket?.stationId,
    ticket,
    items: parseItems(e.items, ticketId),
    itemsComplete: eventType === 'kitchen.ticket.created',
    removedItemIds: Array.isArray(e.removedItemIds) ? e.removedItemIds.map(String) : [],
    removed: e.action === 'removed' || e.removed === true,
  };
}

/** A ticket as the api returns it, items nested. */
export function parseApiTicket(value: unknown): KitchenChange | null {
  if (!isRow(value)) return null;
  const row = camelKeys(value);
  const id = idField(row, 'id');
  if (!id) return null;
  const ticket = parseTicket(row);
  return {
    ticketId: id,
    stationId: ticket.stationId,
    ticket,
    items: parseItems(row.items, id),
    itemsComplete: Array.isArray(row.items),
    removedItemIds: [],
    removed: false,
  };
}

function parseItems(value: unknown, ticketId: string): ItemPatch[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isRow).flatMap((raw) => {
    const item = parseItem(camelKeys(raw), ticketId);
    return item ? [item] : [];
  });
}

function parseTicket(row: Row): TicketPatch {
  const status = textField(row, 'status');
  return {
    id: idField(row, 'id') ?? idField(row, 'ticketId')!,
    ...defined({
      orderId: idField(row, 'orderId'),
      branchId: idField(row, 'branchId'),
      stationId: idField(row, 'stationId'),
      status: isTicketStatus(status) ? status : undefined,
      channel: textField(row, 'channel') ?? undefined,
      tableLabel: textField(row, 'tableLabel'),
      createdAt: timeField(row, 'createdAt') ?? undefined,
      updatedAt: timeField(row, 'updatedAt'),
      bumpedAt: timeField(row, 'bumpedAt'),
      recalledAt: timeField(row, 'recalledAt'),
      cancelledAt: timeField(row, 'cancelledAt'),
    }),
  };
}

const isTicketStatus = (value: unknown): value is TicketStatus =>
  value === 'open' || value === 'bumped' || value === 'cancelled';

function parseItem(row: Row, ticketId: string): ItemPatch | null {
  const id = idField(row, 'id');
  if (!id) return null;
  const status = textField(row, 'status');
  return {
    id,
    ticketId: idField(row, 'ticketId') ?? ticketId,
    ...defined({
      name: textField(row, 'name') ?? undefined,
      quantity: intField(row, 'quantity'),
      note: textField(row, 'note'),
      modifiers: 'modifiers' in row ? modifierList(row.modifiers) : undefined,
      status: isItemStatus(status) ? (status as ItemStatus) : undefined,
      queuedAt: timeField(row, 'queuedAt'),
      preparingAt: timeField(row, 'preparingAt'),
      readyAt: timeField(row, 'readyAt'),
      servedAt: timeField(row, 'servedAt'),
      updatedAt: timeField(row, 'updatedAt'),
    }),
  };
}

export function completeItem(patch: ItemPatch, current: KitchenItem | undefined): KitchenItem {
  return {
    name: '',
    quantity: 1,
    note: null,
    modifiers: [],
    status: 'queued',
    queuedAt: null,
    preparingAt: null,
    readyAt: null,
    servedAt: null,
    updatedAt: null,
    ...current,
    ...patch,
  };
}
