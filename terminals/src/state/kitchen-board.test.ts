import { describe, expect, it } from 'vitest';
import { allDayCounts } from './all-day.ts';
import { expoOrders } from './expo-view.ts';
import {
  BUMPED_KEPT,
  emptyKitchenBoard,
  isTicketReady,
  type KitchenAction,
  type KitchenBoard,
  openTickets,
  recentlyBumped,
  reduceKitchen,
  ticketItems,
  ticketsMissingItems,
} from './kitchen-board.ts';

const GRILL = '11';
const BAR = '13';

function ticketRow(id: string, over: Record<string, unknown> = {}) {
  return {
    id,
    merchant_id: '1',
    branch_id: '2',
    station_id: GRILL,
    order_id: `9${id}`,
    status: 'open',
    channel: 'pos',
    table_label: `T${id}`,
    created_at: `2026-01-01T12:00:0${id.slice(-1)}.123456Z`,
    updated_at: `2026-01-01T12:00:0${id.slice(-1)}.123456Z`,
    bumped_at: null,
    recalled_at: null,
    ...over,
  };
}

function itemRow(id: string, ticketId: string, over: Record<string, unknown> = {}) {
  return {
    id,
    merchant_id: '1',
    ticket_id: ticketId,
    branch_id: '2',
    station_id: GRILL,
    order_id: `9${ticketId}`,
    order_line_id: `7${id}`,
    name: 'Burger',
    quantity: 1,
    note: null,
    modifiers: ['no onion'],
    status: 'queued',
    queued_at: '2026-01-01T12:00:00.000000Z',
    preparing_at: null,
    ready_at: null,
    served_at: null,
    updated_at: '2026-01-01T12:00:00.000000Z',
    ...over,
  };
}

const ev = (eventType: string, entity: unknown): KitchenAction => ({ type: 'event', eventType, entity });
const run = (board: KitchenBoard, ...actions: KitchenAction[]) => actions.reduce(reduceKitchen, board);

describe('kitchen board', () => {
  it('builds a ticket from its row and item rows, in either order', () => {
    const a = run(
      emptyKitchenBoard([GRILL]),
      ev('kitchen.ticket.created', ticketRow('1')),
      ev('kitchen.ticket.created', itemRow('100', '1')),
    );
    const b = run(
      emptyKitchenBoard([GRILL]),
      ev('kitchen.ticket.created', itemRow('100', '1')),
      ev('kitchen.ticket.created', ticketRow('1')),
    );
    for (const board of [a, b]) {
      const [ticket] = openTickets(board);
      expect(ticket?.tableLabel).toBe('T1');
      expect(ticket?.itemsKnown).toBe(true);
      expect(ticketItems(ticket!).map((i) => [i.name, i.modifiers, i.status])).toEqual([
        ['Burger', ['no onion'], 'queued'],
      ]);
      expect(ticket?.createdAt).toBe(Date.parse('2026-01-01T12:00:01.123Z'));
    }
    expect(b.orphanItems).toEqual({});
  });

  it('ignores tickets of stations the screen does not show', () => {
    const board = run(emptyKitchenBoard([GRILL]), ev('kitchen.ticket.created', ticketRow('1', { station_id: BAR })));
    expect(openTickets(board)).toEqual([]);
  });

  it('lists open tickets oldest first', () => {
    const board = run(
      emptyKitchenBoard(null),
      ev('kitchen.ticket.created', ticketRow('3')),
      ev('kitchen.ticket.created', ticketRow('1')),
      ev('kitchen.ticket.created', ticketRow('2')),
    );
    expect(openTickets(board).map((t) => t.id)).toEqual(['1', '2', '3']);
  });

  it('moves a bumped ticket off the board and brings it back on recall', () => {
    let board = run(emptyKitchenBoard(null), ev('kitchen.ticket.created', ticketRow('1')));
    board = reduceKitchen(
      board,
      ev(
        'kitchen.ticket.updated',
        ticketRow('1', { status: 'bumped', bumped_at: '2026-01-01T12:05:00Z', updated_at: '2026-01-01T12:05:00Z' }),
      ),
    );
    expect(openTickets(board)).toEqual([]);
    expect(recentlyBumped(board).map((t) => t.id)).toEqual(['1']);
    board = reduceKitchen(
      board,
      ev(
        'kitchen.ticket.updated',
        ticketRow('1', { status: 'open', recalled_at: '2026-01-01T12:06:00Z', updated_at: '2026-01-01T12:06:00Z' }),
      ),
    );
    expect(openTickets(board).map((t) => t.id)).toEqual(['1']);
    expect(recentlyBumped(board)).toEqual([]);
  });

  it('never goes back in time: an older version of a row is ignored, a replay is a no-op', () => {
    const newer = itemRow('100', '1', { status: 'ready', updated_at: '2026-01-01T12:03:00Z' });
    const older = itemRow('100', '1', { status: 'preparing', updated_at: '2026-01-01T12:02:00Z' });
    const board = run(
      emptyKitchenBoard(null),
      ev('kitchen.ticket.created', ticketRow('1')),
      ev('kitchen.ticket.updated', newer),
      ev('kitchen.ticket.updated', older),
    );
    expect(ticketItems(openTickets(board)[0]!)[0]?.status).toBe('ready');
    expect(reduceKitchen(board, ev('kitchen.ticket.updated', newer))).toStrictEqual(board);
  });

  it('merges partial rows without blanking known fields', () => {
    const board = run(
      emptyKitchenBoard(null),
      ev('kitchen.ticket.created', ticketRow('1')),
      ev('kitchen.ticket.created', itemRow('100', '1', { note: 'well done' })),
      ev('kitchen.ticket.updated', { id: '100', ticket_id: '1', status: 'preparing' }),
    );
    const item = ticketItems(openTickets(board)[0]!)[0]!;
    expect(item).toMatchObject({ status: 'preparing', note: 'well done', name: 'Burger' });
  });

  it('a snapshot replaces the open set but keeps bumped tickets for recall', () => {
    let board = run(
      emptyKitchenBoard(null),
      ev('kitchen.ticket.created', ticketRow('1')),
      ev('kitchen.ticket.created', ticketRow('2', { status: 'bumped', bumped_at: '2026-01-01T12:01:00Z' })),
    );
    board = reduceKitchen(board, {
      type: 'snapshot',
      tickets: [{ ...ticketRow('3'), items: [itemRow('300', '3', { name: 'Fries', quantity: 2 })] }],
    });
    expect(openTickets(board).map((t) => t.id)).toEqual(['3']);
    expect(recentlyBumped(board).map((t) => t.id)).toEqual(['2']);
    expect(ticketItems(openTickets(board)[0]!)[0]).toMatchObject({ name: 'Fries', quantity: 2 });
  });

  it('reports open tickets whose items are unknown, until a fetched ticket fills them', () => {
    let board = run(emptyKitchenBoard(null), ev('kitchen.ticket.created', ticketRow('1')));
    expect(ticketsMissingItems(board)).toEqual(['1']);
    board = reduceKitchen(board, { type: 'ticket', ticket: { ...ticketRow('1'), items: [itemRow('100', '1')] } });
    expect(ticketsMissingItems(board)).toEqual([]);
  });

  it('remembers at most BUMPED_KEPT bumped tickets, newest kept', () => {
    let board = emptyKitchenBoard(null);
    for (let i = 1; i <= BUMPED_KEPT + 5; i++) {
      const at = new Date(Date.UTC(2026, 0, 1, 12, 0, i)).toISOString();
      board = reduceKitchen(
        board,
        ev('kitchen.ticket.updated', ticketRow(String(i), { status: 'bumped', bumped_at: at })),
      );
    }
    const bumped = recentlyBumped(board, 100);
    expect(bumped).toHaveLength(BUMPED_KEPT);
    expect(bumped[0]?.id).toBe(String(BUMPED_KEPT + 5));
  });

  it('ignores other event types and shapeless entities', () => {
    const board = emptyKitchenBoard(null);
    expect(reduceKitchen(board, ev('order.created', ticketRow('1')))).toBe(board);
    expect(reduceKitchen(board, ev('kitchen.ticket.created', 'nope'))).toBe(board);
    expect(reduceKitchen(board, ev('kitchen.ticket.created', { id: '5' }))).toBe(board);
  });
});

describe('all-day counts and readiness', () => {
  it('counts units still to make across open tickets', () => {
    const board = run(
      emptyKitchenBoard(null),
      ev('kitchen.ticket.created', ticketRow('1')),
      ev('kitchen.ticket.created', ticketRow('2')),
      ev('kitchen.ticket.created', ticketRow('3', { status: 'bumped' })),
      ev('kitchen.ticket.created', itemRow('100', '1', { quantity: 2 })),
      ev('kitchen.ticket.created', itemRow('101', '1', { name: 'Fries', status: 'ready' })),
      ev('kitchen.ticket.created', itemRow('200', '2', { quantity: 3, status: 'preparing' })),
      ev('kitchen.ticket.created', itemRow('201', '2', { name: 'Fries' })),
      ev('kitchen.ticket.created', itemRow('300', '3', { quantity: 9 })),
    );
    expect(allDayCounts(board)).toEqual([
      { name: 'Burger', count: 5 },
      { name: 'Fries', count: 1 },
    ]);
    expect(isTicketReady(board.tickets['1']!)).toBe(false);
  });
});

describe('expo view', () => {
  it('groups open tickets of every station by order, with readiness', () => {
    const board = run(
      emptyKitchenBoard(null),
      ev('kitchen.ticket.created', ticketRow('1', { order_id: '50' })),
      ev('kitchen.ticket.created', ticketRow('2', { order_id: '50', station_id: BAR, table_label: null })),
      ev('kitchen.ticket.created', ticketRow('3', { order_id: '51' })),
      ev('kitchen.ticket.created', itemRow('100', '1', { status: 'ready' })),
      ev('kitchen.ticket.created', itemRow('200', '2', { status: 'preparing' })),
      ev('kitchen.ticket.created', itemRow('300', '3', { status: 'ready' })),
    );
    const orders = expoOrders(board, [BAR, GRILL]);
    expect(orders.map((o) => [o.orderId, o.tableLabel, o.ready, o.readyStations])).toEqual([
      ['50', 'T1', false, 1],
      ['51', 'T3', true, 1],
    ]);
    expect(orders[0]?.tickets.map((t) => t.stationId)).toEqual([BAR, GRILL]);
  });
});
