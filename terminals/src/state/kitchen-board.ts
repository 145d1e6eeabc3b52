import { completeItem, type ItemPatch, parseKitchenEntity, type TicketPatch } from './kitchen-rows.ts';
import type { KitchenItem, KitchenTicket } from './kitchen-types.ts';
import { isNotOlder } from './rows.ts';

/**
 * The tickets one screen shows, built only from what the api and the hub say (never from the
 * screen's own clicks, so two screens of a station cannot disagree). Every update is a merge that
 * refuses to go back in time (`updated_at`), which makes replays, snapshots racing the stream and
 * recovered history overlapping live events all harmless.
 */
export interface KitchenBoard {
  /** stations this screen shows; null = every station it hears about */
  stationIds: readonly string[] | null;
  tickets: Readonly<Record<string, KitchenTicket>>;
  /** items whose ticket row has not arrived yet (they can come first within one transaction) */
  orphanItems: Readonly<Record<string, Readonly<Record<string, KitchenItem>>>>;
}

/** How many bumped tickets a screen remembers for recall. */
export const BUMPED_KEPT = 20;

export type KitchenAction =
  | { type: 'event'; eventType: string; entity: unknown }
  /** the api's open tickets: replaces the open set (a reload after missed events) */
  | { type: 'snapshot'; tickets: unknown[] }
  /** one ticket fetched from the api (hydration of a ticket whose items are unknown) */
  | { type: 'ticket'; ticket: unknown };

export function emptyKitchenBoard(stationIds: readonly string[] | null): KitchenBoard {
  return { stationIds, tickets: {}, orphanItems: {} };
}

export function reduceKitchen(board: KitchenBoard, action: KitchenAction): KitchenBoard {
  switch (action.type) {
    case 'event':
      if (!action.eventType.startsWith('kitchen.ticket.')) return board;
      return applyEntity(board, action.entity);
    case 'ticket':
      return applyEntity(board, action.ticket);
    case 'snapshot': {
      // Open tickets the snapshot does not list were bumped (or never ours) while we were not
      // listening: drop them. Bumped ones stay for recall.
      const tickets: Record<string, KitchenTicket> = {};
      for (const t of Object.values(board.tickets)) if (t.status === 'bumped') tickets[t.id] = t;
      let next: KitchenBoard = { ...board, tickets, orphanItems: {} };
      for (const t of action.tickets) next = applyEntity(next, t, true);
      return next;
    }
  }
}

function applyEntity(board: KitchenBoard, entity: unknown, authoritative = false): KitchenBoard {
  const parsed = parseKitchenEntity(entity);
  if (parsed.kind === 'ticket') {
    let next = applyTicket(board, parsed.ticket);
    if (parsed.items) next = applyItems(next, parsed.ticket.id, parsed.items, authoritative);
    return prune(next);
  }
  if (parsed.kind === 'item') return applyItems(board, parsed.item.ticketId, [parsed.item], false);
  return board;
}

function applyTicket(board: KitchenBoard, patch: TicketPatch): KitchenBoard {
  const current = board.tickets[patch.id];
  const stationId = patch.stationId ?? current?.stationId;
  if (stationId && board.stationIds && !board.stationIds.includes(stationId)) return board;
  if (current && !isNotOlder(patch.updatedAt, current.updatedAt)) return board;
  if (!current && (patch.createdAt === undefined || !patch.stationId)) return board; // too little to show
  const orphans = board.orphanItems[patch.id];
  const ticket: KitchenTicket = {
    orderId: '',
    branchId: '',
    stationId: '',
    status: 'open',
    channel: 'pos',
    tableLabel: null,
    createdAt: 0,
    updatedAt: null,
    bumpedAt: null,
    recalledAt: null,
    items: {},
    itemsKnown: false,
    ...current,
    ...patch,
  };
  if (orphans) {
    ticket.items = { ...ticket.items, ...orphans };
    ticket.itemsKnown = true;
  }
  const orphanItems = orphans ? withoutKey(board.orphanItems, patch.id) : board.orphanItems;
  return { ...board, tickets: { ...board.tickets, [ticket.id]: ticket }, orphanItems };
}

function applyItems(board: KitchenBoard, ticketId: string, patches: ItemPatch[], replace: boolean): KitchenBoard {
  const ticket = board.tickets[ticketId];
  if (!ticket) {
    const held = { ...(board.orphanItems[ticketId] ?? {}) };
    for (const p of patches) held[p.id] = mergeItem(held[p.id], p);
    return { ...board, orphanItems: { ...board.orphanItems, [ticketId]: held } };
  }
  const items: Record<string, KitchenItem> = replace ? {} : { ...ticket.items };
  for (const p of patches) items[p.id] = mergeItem(replace ? ticket.items[p.id] : items[p.id], p);
  return { ...board, tickets: { ...board.tickets, [ticketId]: { ...ticket, items, itemsKnown: true } } };
}

function mergeItem(current: KitchenItem | undefined, patch: ItemPatch): KitchenItem {
  if (current && !isNotOlder(patch.updatedAt, current.updatedAt)) return current;
  return completeItem(patch, current);
}

/** Keeps the newest BUMPED_KEPT bumped tickets; older ones cannot be recalled from this screen. */
function prune(board: KitchenBoard): KitchenBoard {
  const bumped = Object.values(board.tickets).filter((t) => t.status === 'bumped');
  if (bumped.length <= BUMPED_KEPT) return board;
  bumped.sort(byBumpedDesc);
  const tickets = { ...board.tickets };
  for (const t of bumped.slice(BUMPED_KEPT)) delete tickets[t.id];
  return { ...board, tickets };
}

function withoutKey<V>(record: Readonly<Record<string, V>>, key: string): Record<string, V> {
  const { [key]: _gone, ...rest } = record;
  return rest;
}

const byId = (a: { id: string }, b: { id: string }) =>
  a.id.length - b.id.length || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const byBumpedDesc = (a: KitchenTicket, b: KitchenTicket) => (b.bumpedAt ?? 0) - (a.bumpedAt ?? 0) || byId(b, a);

// ---- selectors ------------------------------------------------------------------------------

/** Open tickets, oldest order first (ties by id, which grows with time). */
export function openTickets(board: KitchenBoard): KitchenTicket[] {
  return Object.values(board.tickets)
    .filter((t) => t.status === 'open')
    .sort((a, b) => a.createdAt - b.createdAt || byId(a, b));
}

/** Bumped tickets, most recently bumped first: what "recall" brings back. */
export function recentlyBumped(board: KitchenBoard, limit = BUMPED_KEPT): KitchenTicket[] {
  return Object.values(board.tickets)
    .filter((t) => t.status === 'bumped')
    .sort(byBumpedDesc)
    .slice(0, limit);
}

/** Items of a ticket in their order line order (ids grow with line numbers). */
export function ticketItems(ticket: KitchenTicket): KitchenItem[] {
  return Object.values(ticket.items).sort(byId);
}

export function isTicketReady(ticket: KitchenTicket): boolean {
  const items = Object.values(ticket.items);
  return items.length > 0 && items.every((i) => i.status === 'ready' || i.status === 'served');
}

/** Open tickets known only by their row so far; the screen fetches them from the api if items do not follow. */
export function ticketsMissingItems(board: KitchenBoard): string[] {
  return openTickets(board)
    .filter((t) => !t.itemsKnown)
    .map((t) => t.id);
}
