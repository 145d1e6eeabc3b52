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

function orderRow(id: string, over: Record<string, unknown> = {}) {
  return {
    id,
    merchant_id: '1',
    branch_id: '2',
    location_id: '3',
    channel: 'pos',
    status: 'created',
    table_label: `T${id}`,
    currency: 'USD',
    subtotal_amount: '1250',
    total_amount: '1250',
    line_count: 2,
    created_at: new Date(T0 + Number(id) * 1000).toISOString(),
    updated_at: new Date(T0 + Number(id) * 1000).toISOString(),
    paid_at: null,
    fulfilled_at: null,
    completed_at: null,
    cancelled_at: null,
    ...over,
  };
}

const ev = (eventType: string, entity: unknown) => ({ type: 'event' as const, eventType, entity });

describe('order board', () => {
  it('reads rows from events and api orders alike', () => {
    let board = reduceOrders(emptyOrderBoard('2'), ev('order.created', orderRow('1')));
    board = reduceOrders(board, {
      type: 'snapshot',
      orders: [
        ...Object.values(board.orders).map(() => ({
          ...orderRow('1'),
          total: { amount: 1250, currency: 'USD' },
          total_amount: undefined,
        })),
        { ...orderRow('2'), total: { amount: 990, currency: 'USD' } },
      ],
    });
    expect(Object.values(board.orders).map((o) => [o.id, o.total])).toEqual([
      ['1', { amount: 1250, currency: 'USD' }],
      ['2', { amount: 990, currency: 'USD' }],
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
    let board = reduceOrders(emptyOrderBoard('2'), ev('order.created', orderRow('1', { branch_id: '5' })));
    expect(board.orders).toEqual({});
    board = reduceOrders(
      board,
      ev('order.updated', orderRow('1', { status: 'paid', updated_at: new Date(T0 + 9000).toISOString() })),
    );
    board = reduceOrders(
      board,
      ev('order.updated', orderRow('1', { status: 'created', updated_at: new Date(T0 + 2000).toISOString() })),
    );
    expect(board.orders['1']?.status).toBe('paid');
  });

  it('drops finished orders from the board after a while and marks cancelled ones void', () => {
    const cancelledAt = T0 + 5000;
    const board = reduceOrders(
      emptyOrderBoard(null),
      ev('order.updated', orderRow('1', { status: 'cancelled', cancelled_at: new Date(cancelledAt).toISOString() })),
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
