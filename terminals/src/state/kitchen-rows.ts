import type { ItemStatus, KitchenItem, KitchenTicket, TicketStatus } from './kitchen-types.ts';
import { isItemStatus } from './kitchen-types.ts';
import { defined, idField, intField, isRow, modifierList, type Row, textField, timeField } from './rows.ts';

/**
 * Kitchen rows from either source: a `kitchen_tickets` row, a `kitchen_ticket_items` row (it names
 * its `ticket_id`), or an api ticket with its `items` nested. Each parser returns only the fields
 * the row carries, so the reducer merges.
 */
export type ParsedKitchen =
  | { kind: 'ticket'; ticket: TicketPatch; items: ItemPatch[] | null }
  | { kind: 'item'; item: ItemPatch }
  | { kind: 'unknown' };

export type TicketPatch = Partial<Omit<KitchenTicket, 'items' | 'itemsKnown'>> & { id: string };
export type ItemPatch = Partial<KitchenItem> & { id: string; ticketId: string };

export function parseKitchenEntity(entity: unknown): ParsedKitchen {
  if (!isRow(entity)) return { kind: 'unknown' };
  const id = idField(entity, 'id');
  if (!id) return { kind: 'unknown' };
  const ticketId = idField(entity, 'ticket_id');
  if (ticketId) {
    const item = parseItemRow(entity, ticketId);
    return item ? { kind: 'item', item } : { kind: 'unknown' };
  }
  const ticket = parseTicketRow(entity);
  const items = Array.isArray(entity.items)
    ? entity.items.filter(isRow).flatMap((row) => {
        const item = parseItemRow(row, idField(row, 'ticket_id') ?? id);
        return item ? [item] : [];
      })
    : null;
  return { kind: 'ticket', ticket, items };
}

export function parseTicketRow(row: Row): TicketPatch {
  const status = textField(row, 'status');
  return {
    id: idField(row, 'id')!,
    ...defined({
      orderId: idField(row, 'order_id'),
      branchId: idField(row, 'branch_id'),
      stationId: idField(row, 'station_id'),
      status: status === 'open' || status === 'bumped' ? (status as TicketStatus) : undefined,
      channel: textField(row, 'channel') ?? undefined,
      tableLabel: textField(row, 'table_label'),
      createdAt: timeField(row, 'created_at') ?? undefined,
      updatedAt: timeField(row, 'updated_at'),
      bumpedAt: timeField(row, 'bumped_at'),
      recalledAt: timeField(row, 'recalled_at'),
    }),
  };
}

export function parseItemRow(row: Row, ticketId: string): ItemPatch | null {
  const id = idField(row, 'id');
  if (!id) return null;
  const status = textField(row, 'status');
  return {
    id,
    ticketId,
    ...defined({
      name: textField(row, 'name') ?? undefined,
      quantity: intField(row, 'quantity'),
      note: textField(row, 'note'),
      modifiers: 'modifiers' in row ? modifierList(row.modifiers) : undefined,
      status: isItemStatus(status) ? (status as ItemStatus) : undefined,
      queuedAt: timeField(row, 'queued_at'),
      preparingAt: timeField(row, 'preparing_at'),
      readyAt: timeField(row, 'ready_at'),
      servedAt: timeField(row, 'served_at'),
      updatedAt: timeField(row, 'updated_at'),
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
