import { illegalTransition, notFound } from '../errors.ts';
import { type Db, iso } from '../http/db.ts';
import { allowsBranch, allowsStation, type Scope } from '../http/scope.ts';
import {
  ITEM_STATUSES,
  type ItemState,
  type ItemStatus,
  type Ticket,
  type TicketItem,
  type TicketQuery,
} from './kitchen-schemas.ts';

interface TicketRow {
  id: string;
  order_id: string;
  branch_id: string;
  station_id: string;
  status: Ticket['status'];
  channel: Ticket['channel'];
  table_label: string | null;
  created_at: Date;
  updated_at: Date;
  bumped_at: Date | null;
  recalled_at: Date | null;
  cancelled_at: Date | null;
}

interface ItemRow {
  id: string;
  ticket_id: string;
  order_line_id: string;
  name: string;
  quantity: number;
  note: string | null;
  modifiers: string[];
  status: ItemState;
  queued_at: Date;
  preparing_at: Date | null;
  ready_at: Date | null;
  served_at: Date | null;
  cancelled_at: Date | null;
  updated_at: Date;
}

const TICKET_COLUMNS = (db: Db) =>
  db`id, order_id, branch_id, station_id, status, channel, table_label, created_at, updated_at, bumped_at, recalled_at,
      cancelled_at`;

const toItem = (r: ItemRow): TicketItem => ({
  id: r.id,
  order_line_id: r.order_line_id,
  name: r.name,
  quantity: r.quantity,
  note: r.note,
  modifiers: r.modifiers,
  status: r.status,
  queued_at: iso(r.queued_at),
  preparing_at: iso(r.preparing_at),
  ready_at: iso(r.ready_at),
  served_at: iso(r.served_at),
  cancelled_at: iso(r.cancelled_at),
  updated_at: iso(r.updated_at),
});

function itemsOf(db: Db, s: Scope, ticketIds: string[]) {
  return db<ItemRow[]>`
    select id, ticket_id, order_line_id, name, quantity, note, modifiers, status,
           queued_at, preparing_at, ready_at, served_at, cancelled_at, updated_at
    from kitchen_ticket_items
    where merchant_id = ${s.merchantId} and ticket_id = any(${ticketIds}::bigint[])
    order by id`;
}

function toTicket(t: TicketRow, items: ItemRow[]): Ticket {
  return {
    id: t.id,
    order_id: t.order_id,
    branch_id: t.branch_id,
    station_id: t.station_id,
    status: t.status,
    channel: t.channel,
    table_label: t.table_label,
    created_at: iso(t.created_at),
    updated_at: iso(t.updated_at),
    bumped_at: iso(t.bumped_at),
    recalled_at: iso(t.recalled_at),
    cancelled_at: iso(t.cancelled_at),
    items: items.filter((i) => i.ticket_id === t.id).map(toItem),
  };
}

async function withItems(db: Db, s: Scope, tickets: TicketRow[]): Promise<Ticket[]> {
  if (tickets.length === 0) return [];
  const items = await itemsOf(
    db,
    s,
    tickets.map((t) => t.id),
  );
  return tickets.map((t) => toTicket(t, items));
}

const visible = (s: Scope, t: { branch_id: string; station_id: string }) =>
  allowsBranch(s, t.branch_id) && allowsStation(s, t.station_id);

const LIST_ORDER = {
  open: (db: Db) => db`created_at, id`,
  bumped: (db: Db) => db`bumped_at desc, id desc`,
  cancelled: (db: Db) => db`cancelled_at desc, id desc`,
} as const;

/** The scope's branches and stations as a condition on a ticket or item row. */
const inScope = (db: Db, s: Scope) =>
  db`${s.branchIds ? db`and branch_id = any(${s.branchIds}::bigint[])` : db``}
     ${s.stationIds ? db`and station_id = any(${s.stationIds}::bigint[])` : db``}`;

/**
 * Open tickets oldest first (the KDS queue); bumped ones most recent first (for recall); cancelled
 * ones most recent first.
 */
export async function listTickets(db: Db, s: Scope, query: TicketQuery): Promise<Ticket[]> {
  const rows = await db<TicketRow[]>`
    select ${TICKET_COLUMNS(db)} from kitchen_tickets
    where merchant_id = ${s.merchantId} and status = ${query.status}
      ${query.station_id ? db`and station_id = ${query.station_id}` : db``}
      ${query.branch_id ? db`and branch_id = ${query.branch_id}` : db``}
      ${inScope(db, s)}
    order by ${LIST_ORDER[query.status](db)}
    limit ${query.limit}`;
  return withItems(db, s, rows);
}

export async function getTicket(db: Db, s: Scope, id: string): Promise<Ticket> {
  // both reads go out together (pipelined on the connection): one wait instead of two
  const [[row], items] = await Promise.all([
    db<TicketRow[]>`
      select ${TICKET_COLUMNS(db)} from kitchen_tickets where merchant_id = ${s.merchantId} and id = ${id}`,
    itemsOf(db, s, [id]),
  ]);
  if (!row || !visible(s, row)) throw notFound('ticket', id);
  return toTicket(row, items);
}

/**
 * A ticket status change in one statement: the update itself checks the scope and the state it
 * moves from (so two taps at once cannot both succeed), and only when it changed nothing is the
 * ticket read to say why (not found, or the illegal transition).
 */
async function moveTicket(
  db: Db,
  s: Scope,
  id: string,
  from: Ticket['status'],
  verb: 'bump' | 'recall',
  change: ReturnType<Db>,
): Promise<Ticket> {
  const moved = await db`
    update kitchen_tickets set ${change}
    where merchant_id = ${s.merchantId} and id = ${id} and status = ${from} ${inScope(db, s)}
    returning id`;
  const ticket = await getTicket(db, s, id);
  if (moved.length === 0) throw illegalTransition('ticket', id, ticket.status, verb);
  return ticket;
}

/** open → bumped: the ticket leaves the station's screen. */
export function bumpTicket(db: Db, s: Scope, id: string): Promise<Ticket> {
  return moveTicket(db, s, id, 'open', 'bump', db`status = 'bumped', bumped_at = now()`);
}

/** bumped → open: a bumped ticket comes back to the screen. */
export function recallTicket(db: Db, s: Scope, id: string): Promise<Ticket> {
  return moveTicket(db, s, id, 'bumped', 'recall', db`status = 'open', recalled_at = now()`);
}

/**
 * Moves an item forward (queued → preparing → ready → served; skipping is allowed, going back is
 * not) and stamps the new status's time. Returns the whole ticket for the screen to redraw.
 */
export async function setItemStatus(db: Db, s: Scope, itemId: string, target: ItemStatus | 'next'): Promise<Ticket> {
  // one statement moves the item when the move is legal (forward, not cancelled, in scope); the
  // item is read only when it did not, to say why
  const from = target === 'next' ? ITEM_STATUSES.slice(0, -1) : ITEM_STATUSES.slice(0, ITEM_STATUSES.indexOf(target));
  const to =
    target === 'next'
      ? db`(case status when 'queued' then 'preparing' when 'preparing' then 'ready' when 'ready' then 'served' end)::ticket_item_status`
      : db`${target}::ticket_item_status`;
  const stamp = (status: ItemStatus) =>
    db`${db(`${status}_at`)} = case when ${to} = ${status}::ticket_item_status then now() else ${db(`${status}_at`)} end`;
  const [moved] = await db<{ ticket_id: string }[]>`
    update kitchen_ticket_items
    set status = ${to}, ${stamp('preparing')}, ${stamp('ready')}, ${stamp('served')}
    where merchant_id = ${s.merchantId} and id = ${itemId} and status = any(${from}::ticket_item_status[]) ${inScope(db, s)}
    returning ticket_id`;
  if (moved) return getTicket(db, s, moved.ticket_id);
  const [item] = await db<{ status: ItemState; branch_id: string; station_id: string }[]>`
    select status, branch_id, station_id from kitchen_ticket_items where merchant_id = ${s.merchantId} and id = ${itemId}`;
  if (!item || !visible(s, item)) throw notFound('ticket item', itemId);
  throw illegalTransition('ticket item', itemId, item.status, target === 'next' ? 'advance' : `move to ${target}`);
}

/**
 * The kitchen side of an order's cancel, in the cancel's transaction (the order row is locked):
 * its tickets, open or bumped, become 'cancelled' and their unserved items too. Screens drop them
 * (cdc names the change `cancelled`), and they take no further bump, recall or item move.
 */
export async function cancelOrderTickets(db: Db, s: Scope, orderId: string): Promise<void> {
  await db`
    with tickets as (
      update kitchen_tickets set status = 'cancelled', cancelled_at = now()
      where merchant_id = ${s.merchantId} and order_id = ${orderId} and status <> 'cancelled'
      returning id
    )
    update kitchen_ticket_items set status = 'cancelled', cancelled_at = now()
    where merchant_id = ${s.merchantId} and ticket_id in (select id from tickets)
      and status in ('queued', 'preparing', 'ready')`;
}
