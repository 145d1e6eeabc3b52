import {
  completeItem,
  type ItemPatch,
  type KitchenChange,
  parseApiTicket,
  parseKitchenEvent,
  type TicketPatch,
} from './kitchen-rows.ts';
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
  /** item changes of tickets this screen does not know yet (kept until the ticket arrives) */
  orphanItems: Readonly<Record<string, Readonly<Record<string, KitchenItem>>>>;
}

/** How many bumped tickets a screen remembers for recall. */
export const BUMPED_KEPT = 20;
/**
 * How many cancelled tickets a screen remembers. A cancelled ticket is never shown; it is kept so
 * that an older copy (a snapshot fetched before the cancel, a late replay) cannot bring it back.
 */
export const CANCELLED_KEPT = 50;

export type KitchenAction =
  | { type: 'event'; eventType: string; entity: unknown }
  /** the api's open tickets: replaces the open set (first load, or a reload after missed events) */
  | { type: 'snapshot'; tickets: unknown[] }
  /** one ticket fetched from the api (a ticket whose items this screen has not seen) */
  | { type: 'ticket'; ticket: unknown };

export function emptyKitchenBoard(stationIds: readonly string[] | null): KitchenBoard {
  return { stationIds, tickets: {}, orphanItems: {} };
}

export function reduceKitchen(board: KitchenBoard, action: KitchenAction): KitchenBoard {
  switch (action.type) {
    case 'event': {
      if (!action.eventType.startsWith('kitchen.ticket.')) return board;
      const change = parseKitchenEvent(action.eventType, action.entity);
      return change ? applyChange(board, change) : board;
    }
    case 'ticket': {
      const change = parseApiTicket(action.ticket);
      return change ? applyChange(board, change) : board;
    }
    case 'snapshot': {
      // Open tickets the snapshot does not list were bumped (or never ours) while we were not
      // listening: drop them. Bumped ones stay for recall, unless the snapshot shows they are no
      // longer bumped; cancelled ones stay as tombstones.
      const changes = action.tickets.flatMap((t) => parseApiTicket(t) ?? []);
      const stale = staleBumped(board, changes);
      const tickets: Record<string, KitchenTicket> = {};
      for (const t of Object.values(board.tickets)) {
        if ((t.status === 'bumped' && !stale.has(t.id)) || t.status === 'cancelled') tickets[t.id] = t;
      }
      let next: KitchenBoard = { ...board, tickets, orphanItems: {} };
      for (const change of changes) next = applyChange(next, change);
      return next;
    }
  }
}

/**
 * Bumped tickets this screen keeps that the snapshot proves are no longer bumped (recalled, or
 * cancelled while the screen was not listening). The snapshot lists a station's most recent bumped
 * tickets, so between its oldest and newest listed bump time it is complete: a kept one of that
 * station bumped within that span, yet not listed, has moved on. (One bumped after the snapshot was
 * read lies beyond the span and stays.)
 */
function staleBumped(board: KitchenBoard, changes: KitchenChange[]): Set<string> {
  const listed = new Set(changes.map((c) => c.ticketId));
  const span = new Map<string, { from: number; to: number }>();
  for (const c of changes) {
    if (c.ticket?.status !== 'bumped' || !c.stationId) continue;
    const at = c.ticket.bumpedAt ?? 0;
    const s = span.get(c.stationId);
    span.set(c.stationId, { from: Math.min(at, s?.from ?? at), to: Math.max(at, s?.to ?? at) });
  }
  const stale = new Set<string>();
  for (const t of Object.values(board.tickets)) {
    const s = span.get(t.stationId);
    const at = t.bumpedAt ?? 0;
    if (t.status === 'bumped' && !listed.has(t.id) && s && at >= s.from && at <= s.to) stale.add(t.id);
  }
  return stale;
}

function applyChange(board: KitchenBoard, change: KitchenChange): KitchenBoard {
  if (change.stationId && board.stationIds && !board.stationIds.includes(change.stationId)) return board;
  if (change.removed) {
    if (!board.tickets[change.ticketId] && !board.orphanItems[change.ticketId]) return board;
    return {
      ...board,
      tickets: withoutKey(board.tickets, change.ticketId),
      orphanItems: withoutKey(board.orphanItems, change.ticketId),
    };
  }
  let next = change.ticket ? applyTicket(board, change.ticket) : board;
  next = applyItems(next, change.ticketId, change.items, change.itemsComplete, change.removedItemIds);
  return prune(next);
}

function applyTicket(board: KitchenBoard, patch: TicketPatch): KitchenBoard {
  const current = board.tickets[patch.id];
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
    cancelledAt: null,
    items: {},
    itemsKnown: false,
    ...current,
    ...patch,
  };
  if (orphans) {
    const items = { ...ticket.items };
    for (const o of Object.values(orphans)) items[o.id] = mergeItem(items[o.id], o);
    ticket.items = items;
  }
  const orphanItems = orphans ? withoutKey(board.orphanItems, patch.id) : board.orphanItems;
  return { ...board, tickets: { ...board.tickets, [ticket.id]: ticket }, orphanItems };
}

function applyItems(
  board: KitchenBoard,
  ticketId: string,
  patches: ItemPatch[],
  complete: boolean,
  removedIds: string[],
): KitchenBoard {
  if (patches.length === 0 && removedIds.length === 0 && !complete) return board;
  const ticket = board.tickets[ticketId];
  if (!ticket) {
    if (patches.length === 0) return board;
    const held = { ...(board.orphanItems[ticketId] ?? {}) };
    for (const p of patches) held[p.id] = mergeItem(held[p.id], p);
    return { ...board, orphanItems: { ...board.orphanItems, [ticketId]: held } };
  }
  const items: Record<string, KitchenItem> = complete ? {} : { ...ticket.items };
  for (const p of patches) items[p.id] = mergeItem(ticket.items[p.id], p);
  for (const id of removedIds) delete items[id];
  const itemsKnown = ticket.itemsKnown || complete;
  return { ...board, tickets: { ...board.tickets, [ticketId]: { ...ticket, items, itemsKnown } } };
}

function mergeItem(current: KitchenItem | undefined, patch: ItemPatch): KitchenItem {
  if (current && !isNotOlder(patch.updatedAt, current.updatedAt)) return current;
  return completeItem(patch, current);
}

function prune(board: KitchenBoard): KitchenBoard {
  const all = Object.values(board.tickets);
  const bumped = all.filter((t) => t.status === 'bumped');
  const cancelled = all.filter((t) => t.status === 'cancelled');
  if (bumped.length <= BUMPED_KEPT && cancelled.length <= CANCELLED_KEPT) return board;
  bumped.sort(byBumpedDesc);
  cancelled.sort(byCancelledDesc);
  const tickets = { ...board.tickets };
  for (const t of [...bumped.slice(BUMPED_KEPT), ...cancelled.slice(CANCELLED_KEPT)]) delete tickets[t.id];
  return { ...board, tickets };
}

function withoutKey<V>(record: Readonly<Record<string, V>>, key: string): Record<string, V> {
  const { [key]: _gone, ...rest } = record;
  return rest;
}

const byId = (a: { id: string }, b: { id: string }) =>
  a.id.length - b.id.length || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const byBumpedDesc = (a: KitchenTicket, b: KitchenTicket) => (b.bumpedAt ?? 0) - (a.bumpedAt ?? 0) || byId(b, a);
const byCancelledDesc = (a: KitchenTicket, b: KitchenTicket) =>
  (b.cancelledAt ?? 0) - (a.cancelledAt ?? 0) || byId(b, a);

// ---- selectors ------------------------------------------------------------------------------

/** Open tickets, oldest order first (ties by id, which grows with time). */
export function openTickets(board: KitchenBoard): KitchenTicket[] {
  return Object.values(board.tickets)
    .filter((t) => t.status === 'open')
    .sort((a, b) => a.createdAt - b.createdAt || byId(a, b));
}

/** Bumped tickets, most recently bumped first: what "recall" brings back (never a cancelled one). */
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
