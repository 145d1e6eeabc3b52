import { describe, expect, it } from 'vitest';
import { allDayCounts } from './all-day.ts';
import { expoOrders } from './expo-view.ts';
import {
  BUMPED_KEPT,
  CANCELLED_KEPT,
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
import { apiTicket, BAR, GRILL, ticketEvent } from './kitchen-fixtures.ts';

const created = (entity: unknown): KitchenAction => ({ type: 'event', eventType: 'kitchen.ticket.created', entity });
const updated = (entity: unknown): KitchenAction => ({ type: 'event', eventType: 'kitchen.ticket.updated', entity });
const run = (board: KitchenBoard, ...actions: KitchenAction[]) => actions.reduce(reduceKitchen, board);
const bumpedAt = (s: number) => new Date(Date.UTC(2026, 0, 1, 12, 5, s)).toISOString();

describe('kitchen board', () => {
  it('shows a created ticket with its items, modifiers and the order time', () => {
    const board = run(
      emptyKitchenBoard([GRILL]),
      created(
        ticketEvent('1', { items: [{ id: '100' }, { id: '101', name: 'Fries', note: 'extra salt', modifiers: [] }] }),
      ),
    );
    const [ticket] = openTickets(board);
    expect(ticket).toMatchObject({
      tableLabel: 'T1',
      itemsKnown: true,
      createdAt: Date.parse('2026-01-01T12:00:01.123Z'),
    });
    expect(ticketItems(ticket!).map((i) => [i.name, i.modifiers, i.note, i.status])).toEqual([
      ['Burger', ['no onion'], null, 'queued'],
      ['Fries', [], 'extra salt', 'queued'],
    ]);
  });

  it('ignores tickets of stations the screen does not show', () => {
    const board = run(emptyKitchenBoard([GRILL]), created(ticketEvent('1', { ticket: { stationId: BAR } })));
    expect(openTickets(board)).toEqual([]);
  });

  it('lists open tickets oldest first', () => {
    const board = run(
      emptyKitchenBoard(null),
      created(ticketEvent('3')),
      created(ticketEvent('1')),
      created(ticketEvent('2')),
    );
    expect(openTickets(board).map((t) => t.id)).toEqual(['1', '2', '3']);
  });

  it('applies item-only updates to the ticket they name', () => {
    const board = run(
      emptyKitchenBoard(null),
      created(ticketEvent('1', { items: [{ id: '100', note: 'well done' }, { id: '101' }] })),
      updated(
        ticketEvent('1', {
          ticket: null,
          action: 'items',
          items: [{ id: '100', status: 'preparing', note: 'well done', updatedAt: '2026-01-01T12:01:00Z' }],
        }),
      ),
    );
    const items = ticketItems(openTickets(board)[0]!);
    expect(items.map((i) => [i.id, i.status, i.note])).toEqual([
      ['100', 'preparing', 'well done'],
      ['101', 'queued', null],
    ]);
  });

  it('moves a bumped ticket off the board and brings it back on recall', () => {
    let board = run(emptyKitchenBoard(null), created(ticketEvent('1', { items: [{ id: '100' }] })));
    board = reduceKitchen(
      board,
      updated(
        ticketEvent('1', {
          action: 'bumped',
          ticket: { status: 'bumped', bumpedAt: bumpedAt(0), updatedAt: bumpedAt(0) },
        }),
      ),
    );
    expect(openTickets(board)).toEqual([]);
    expect(recentlyBumped(board).map((t) => t.id)).toEqual(['1']);
    board = reduceKitchen(
      board,
      updated(
        ticketEvent('1', {
          action: 'recalled',
          ticket: { status: 'open', recalledAt: bumpedAt(9), updatedAt: bumpedAt(9) },
        }),
      ),
    );
    expect(openTickets(board).map((t) => [t.id, t.itemsKnown, Object.keys(t.items)])).toEqual([['1', true, ['100']]]);
    expect(recentlyBumped(board)).toEqual([]);
  });

  it('never goes back in time: an older version is ignored, a replay is a no-op', () => {
    const newer = updated(
      ticketEvent('1', { ticket: null, items: [{ id: '100', status: 'ready', updatedAt: '2026-01-01T12:03:00Z' }] }),
    );
    const older = updated(
      ticketEvent('1', {
        ticket: null,
        items: [{ id: '100', status: 'preparing', updatedAt: '2026-01-01T12:02:00Z' }],
      }),
    );
    const board = run(emptyKitchenBoard(null), created(ticketEvent('1', { items: [{ id: '100' }] })), newer, older);
    expect(ticketItems(openTickets(board)[0]!)[0]?.status).toBe('ready');
    expect(reduceKitchen(board, newer)).toStrictEqual(board);
    const staleBump = updated(ticketEvent('1', { ticket: { status: 'bumped', updatedAt: '2025-12-31T00:00:00Z' } }));
    expect(openTickets(reduceKitchen(board, staleBump))).toHaveLength(1);
  });

  it('holds item changes of an unknown ticket until the ticket arrives', () => {
    let board = run(
      emptyKitchenBoard(null),
      updated(
        ticketEvent('1', { ticket: null, items: [{ id: '100', status: 'ready', updatedAt: '2026-01-01T12:03:00Z' }] }),
      ),
    );
    expect(openTickets(board)).toEqual([]);
    board = reduceKitchen(board, created(ticketEvent('1', { items: [{ id: '100' }] })));
    expect(ticketItems(openTickets(board)[0]!)[0]?.status).toBe('ready');
    expect(board.orphanItems).toEqual({});
  });

  it('removes deleted tickets and items', () => {
    let board = run(emptyKitchenBoard(null), created(ticketEvent('1', { items: [{ id: '100' }, { id: '101' }] })));
    board = reduceKitchen(board, updated(ticketEvent('1', { ticket: null, action: 'items', removedItemIds: ['101'] })));
    expect(Object.keys(openTickets(board)[0]!.items)).toEqual(['100']);
    board = reduceKitchen(board, updated(ticketEvent('1', { ticket: null, action: 'removed' })));
    expect(board.tickets).toEqual({});
  });

  it('a snapshot replaces the open set but keeps bumped tickets for recall', () => {
    let board = run(
      emptyKitchenBoard(null),
      created(ticketEvent('1')),
      created(ticketEvent('2', { ticket: { status: 'bumped', bumpedAt: bumpedAt(1) } })),
    );
    board = reduceKitchen(board, {
      type: 'snapshot',
      tickets: [apiTicket('3', {}, [{ id: '300', name: 'Fries', quantity: 2 }])],
    });
    expect(openTickets(board).map((t) => t.id)).toEqual(['3']);
    expect(recentlyBumped(board).map((t) => t.id)).toEqual(['2']);
    expect(ticketItems(openTickets(board)[0]!)[0]).toMatchObject({
      name: 'Fries',
      quantity: 2,
      modifiers: ['no onion'],
    });
  });

  it('reports recalled tickets whose items it never saw, until the fetched ticket fills them', () => {
    let board = run(
      emptyKitchenBoard(null),
      updated(ticketEvent('1', { action: 'recalled', ticket: { status: 'open', recalledAt: bumpedAt(3) } })),
    );
    expect(ticketsMissingItems(board)).toEqual(['1']);
    board = reduceKitchen(board, {
      type: 'ticket',
      ticket: apiTicket('1', { recalled_at: bumpedAt(3) }, [{ id: '100' }]),
    });
    expect(ticketsMissingItems(board)).toEqual([]);
    expect(Object.keys(board.tickets['1']!.items)).toEqual(['100']);
  });

  it('remembers at most BUMPED_KEPT bumped tickets, newest kept', () => {
    let board = emptyKitchenBoard(null);
    for (let i = 1; i <= BUMPED_KEPT + 5; i++) {
      board = reduceKitchen(
        board,
        updated(ticketEvent(String(i), { ticket: { status: 'bumped', bumpedAt: bumpedAt(i) } })),
      );
    }
    const bumped = recentlyBumped(board, 100);
    expect(bumped).toHaveLength(BUMPED_KEPT);
    expect(bumped[0]?.id).toBe(String(BUMPED_KEPT + 5));
  });

  it('drops a ticket whose order was cancelled, and an older copy cannot bring it back', () => {
    const cancelledAt = bumpedAt(7);
    const cancel = (id: string) =>
      updated(
        ticketEvent(id, {
          action: 'cancelled',
          ticket: { status: 'cancelled', cancelledAt, updatedAt: cancelledAt },
          items: [{ id: `${id}00`, status: 'cancelled', updatedAt: cancelledAt }],
        }),
      );
    const fetchedBefore = apiTicket('1', {}, [{ id: '100' }]);
    let board = run(
      emptyKitchenBoard(null),
      created(ticketEvent('1', { items: [{ id: '100' }] })),
      created(ticketEvent('2', { items: [{ id: '200' }] })),
      updated(
        ticketEvent('2', {
          action: 'bumped',
          ticket: { status: 'bumped', bumpedAt: bumpedAt(1), updatedAt: bumpedAt(1) },
        }),
      ),
    );
    expect(openTickets(board).map((t) => t.id)).toEqual(['1']);
    expect(recentlyBumped(board).map((t) => t.id)).toEqual(['2']);

    board = run(board, cancel('1'), cancel('2'));
    expect(openTickets(board)).toEqual([]);
    expect(recentlyBumped(board)).toEqual([]);
    expect(expoOrders(board)).toEqual([]);
    expect(allDayCounts(board)).toEqual([]);
    expect(ticketsMissingItems(board)).toEqual([]);
    expect(board.tickets['1']).toMatchObject({ status: 'cancelled', cancelledAt: Date.parse(cancelledAt) });

    // a snapshot read before the cancel, or a late replay of the creation, changes nothing
    board = reduceKitchen(board, { type: 'snapshot', tickets: [fetchedBefore] });
    board = reduceKitchen(board, created(ticketEvent('2', { items: [{ id: '200' }] })));
    expect(openTickets(board)).toEqual([]);
    expect(recentlyBumped(board)).toEqual([]);
  });

  it('a snapshot drops kept bumped tickets it shows have moved on (cancelled while away), keeps older ones', () => {
    const bump = (id: string, s: number) =>
      updated(ticketEvent(id, { ticket: { status: 'bumped', bumpedAt: bumpedAt(s), updatedAt: bumpedAt(s) } }));
    let board = run(emptyKitchenBoard(null), bump('1', 1), bump('2', 2), bump('3', 3), bump('4', 4));
    // the api lists the station's recent bumped tickets: 2 and 4; 3 was cancelled meanwhile
    board = reduceKitchen(board, {
      type: 'snapshot',
      tickets: [
        apiTicket('4', { status: 'bumped', bumpedAt: bumpedAt(4) }, []),
        apiTicket('2', { status: 'bumped', bumpedAt: bumpedAt(2) }, []),
      ],
    });
    expect(recentlyBumped(board).map((t) => t.id)).toEqual(['4', '2', '1']);
  });

  it('remembers at most CANCELLED_KEPT cancelled tickets', () => {
    let board = emptyKitchenBoard(null);
    for (let i = 1; i <= CANCELLED_KEPT + 3; i++) {
      const at = new Date(Date.UTC(2026, 0, 1, 13, 0, 0, i)).toISOString();
      board = reduceKitchen(
        board,
        updated(ticketEvent(String(i), { ticket: { status: 'cancelled', cancelledAt: at } })),
      );
    }
    expect(Object.keys(board.tickets)).toHaveLength(CANCELLED_KEPT);
    expect(board.tickets[String(CANCELLED_KEPT + 3)]).toBeDefined();
    expect(board.tickets['1']).toBeUndefined();
  });

  it('ignores other event types and shapeless entities', () => {
    const board = emptyKitchenBoard(null);
    expect(reduceKitchen(board, { type: 'event', eventType: 'order.created', entity: ticketEvent('1') })).toBe(board);
    expect(reduceKitchen(board, created('nope'))).toBe(board);
    expect(reduceKitchen(board, created({ id: '5' }))).toBe(board);
  });
});

describe('all-day counts and readiness', () => {
  it('counts units still to make across open tickets', () => {
    const board = run(
      emptyKitchenBoard(null),
      created(
        ticketEvent('1', {
          items: [
            { id: '100', quantity: 2 },
            { id: '101', name: 'Fries', status: 'ready' },
          ],
        }),
      ),
      created(
        ticketEvent('2', {
          items: [
            { id: '200', quantity: 3, status: 'preparing' },
            { id: '201', name: 'Fries' },
          ],
        }),
      ),
      created(ticketEvent('3', { ticket: { status: 'bumped' }, items: [{ id: '300', quantity: 9 }] })),
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
      created(ticketEvent('1', { ticket: { orderId: '50' }, items: [{ id: '100', status: 'ready' }] })),
      created(
        ticketEvent('2', {
          ticket: { orderId: '50', stationId: BAR, tableLabel: null },
          items: [{ id: '200', status: 'preparing' }],
        }),
      ),
      created(ticketEvent('3', { ticket: { orderId: '51' }, items: [{ id: '300', status: 'ready' }] })),
    );
    const orders = expoOrders(board, [BAR, GRILL]);
    expect(orders.map((o) => [o.orderId, o.tableLabel, o.ready, o.readyStations])).toEqual([
      ['50', 'T1', false, 1],
      ['51', 'T3', true, 1],
    ]);
    expect(orders[0]?.tickets.map((t) => t.stationId)).toEqual([BAR, GRILL]);
  });
});
