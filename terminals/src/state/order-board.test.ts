import { describe, expect, it } from 'vitest';
import { formatMoney } from './money-format.ts';
import {
  type BoardOrder,
  emptyOrderBoard,
  FINISHED_VISIBLE_MS,
  orderColumns,
  paymentState,
  reduceOrders,
} from './order-board.ts';

const T0 = Date.parse('2026-01-01T12:00:00Z');

/** order.created / order.updated entity as cdc sends it */
function orderRow(id: string, over: Record<string, unknown> = {}) {
  return {
    id,
    merchantId: '1',
    branchId: '2',
    locationId: '3',
    channel: 'pos',
    status: 'created',
    tableLabel: `T${id}`,
    customerNote: null,
    currency: 'USD',
    subtotalAmount: 1250,
    totalAmount: 1250,
    lineCount: 2,
    createdBy: null,
    createdAt: new Date(T0 + Number(id) * 1000).toISOString(),
    updatedAt: new Date(T0 + Number(id) * 1000).toISOString(),
    paidAt: null,
    fulfilledAt: null,
    completedAt: null,
    cancelledAt: null,
    lines: [],
    previousStatus: null,
    removed: false,
    ...over,
  };
}

/** an order as the api returns it */
function apiOrder(id: string, total: number) {
  const at = new Date(T0 + Number(id) * 1000).toISOString();
  return {
    id,
    branch_id: '2',
    channel: 'online',
    status: 'paid',
    table_label: null,
    total: { amount: total, currency: 'USD' },
    line_count: 1,
    created_at: at,
    updated_at: at,
    paid_at: at,
    fulfilled_at: null,
    completed_at: null,
    cancelled_at: null,
  };
}

const ev = (eventType: string, entity: unknown) => ({ type: 'event' as const, eventType, entity });

describe('order board', () => {
  it('reads rows from events and api orders alike', () => {
    let board = reduceOrders(emptyOrderBoard('2'), ev('order.created', orderRow('1')));
    expect(board.orders['1']).toMatchObject({
      total: { amount: 1250, currency: 'USD' },
      tableLabel: 'T1',
      lineCount: 2,
    });
    board = reduceOrders(board, { type: 'snapshot', orders: [apiOrder('2', 990)] });
    expect(Object.values(board.orders).map((o) => [o.id, o.status, o.channel, o.total])).toEqual([
      ['2', 'paid', 'online', { amount: 990, currency: 'USD' }],
    ]);
  });

  it('puts orders in columns by status, newest first, and follows updates', () => {
    let board = emptyOrderBoard('2');
    for (const id of ['1', '2', '3']) board = reduceOrders(board, ev('order.created', orderRow(id)));
    board = reduceOrders(
      board,
      ev(
        'order.updated',
        orderRow('2', {
          status: 'paid',
          paid_at: new Date(T0 + 10_000).toISOString(),
          updated_at: new Date(T0 + 10_000).toISOString(),
        }),
      ),
    );
    const cols = orderColumns(board, T0 + 60_000);
    expect(cols.open.map((o) => o.id)).toEqual(['3', '1']);
    expect(cols.paid.map((o) => o.id)).toEqual(['2']);
    expect(paymentState(cols.paid[0]!)).toBe('paid');
    expect(paymentState(cols.open[0]!)).toBe('unpaid');
  });

  it('ignores other branches and stale versions', () => {
    let board = reduceOrders(emptyOrderBoard('2'), ev('order.created', orderRow('1', { branchId: '5' })));
    expect(board.orders).toEqual({});
    board = reduceOrders(
      board,
      ev('order.updated', orderRow('1', { status: 'paid', updatedAt: new Date(T0 + 9000).toISOString() })),
    );
    board = reduceOrders(
      board,
      ev('order.updated', orderRow('1', { status: 'created', updatedAt: new Date(T0 + 2000).toISOString() })),
    );
    expect(board.orders['1']?.status).toBe('paid');
  });

  it('drops finished orders from the board after a while and marks cancelled ones void', () => {
    const cancelledAt = T0 + 5000;
    const board = reduceOrders(
      emptyOrderBoard(null),
      ev('order.updated', orderRow('1', { status: 'cancelled', cancelledAt: new Date(cancelledAt).toISOString() })),
    );
    const early = orderColumns(board, cancelledAt + 1000);
    expect(early.done.map((o: BoardOrder) => [o.id, paymentState(o)])).toEqual([['1', 'void']]);
    expect(orderColumns(board, cancelledAt + FINISHED_VISIBLE_MS + 1).done).toEqual([]);
  });

  it('formats minor units in the currency', () => {
    expect(formatMoney({ amount: 1250, currency: 'USD' })).toBe('$12.50');
    expect(formatMoney({ amount: 1250, currency: 'JPY' })).toBe('¥1,250');
    expect(formatMoney(null)).toBe('—');
  });
});
