import { camelKeys, defined, idField, intField, isNotOlder, isRow, moneyField, textField, timeField } from './rows.ts';

export const ORDER_STATUSES = ['created', 'paid', 'fulfilled', 'completed', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
export type PaymentState = 'unpaid' | 'paid' | 'void';

export interface BoardOrder {
  id: string;
  branchId: string;
  status: OrderStatus;
  channel: string;
  tableLabel: string | null;
  total: { amount: number; currency: string } | null;
  lineCount: number | null;
  createdAt: number;
  updatedAt: number | null;
  paidAt: number | null;
  fulfilledAt: number | null;
  completedAt: number | null;
  cancelledAt: number | null;
}

export interface OrderBoard {
  branchId: string | null;
  orders: Readonly<Record<string, BoardOrder>>;
}

export type OrderAction =
  | { type: 'event'; eventType: string; entity: unknown }
  /** the api's recent orders of the branch (a reload): replaces what the board holds */
  | { type: 'snapshot'; orders: unknown[] };

/** How long a finished (completed / cancelled) order stays on the board. */
export const FINISHED_VISIBLE_MS = 15 * 60_000;
const MAX_ORDERS = 300;

export function emptyOrderBoard(branchId: string | null): OrderBoard {
  return { branchId, orders: {} };
}

export function reduceOrders(board: OrderBoard, action: OrderAction): OrderBoard {
  if (action.type === 'snapshot') {
    let next: OrderBoard = { ...board, orders: {} };
    for (const o of action.orders) next = applyOrder(next, o);
    return cap(next);
  }
  if (action.eventType !== 'order.created' && action.eventType !== 'order.updated') return board;
  return cap(applyOrder(board, action.entity));
}

/** An order from cdc's event entity (camelCase, `totalAmount`) or from the api (snake_case, `total`). */
function applyOrder(board: OrderBoard, raw: unknown): OrderBoard {
  if (!isRow(raw)) return board;
  const entity = camelKeys(raw);
  if (entity.removed === true) return { ...board, orders: withoutKey(board.orders, String(entity.id)) };
  const id = idField(entity, 'id');
  if (!id) return board;
  const current = board.orders[id];
  const status = textField(entity, 'status');
  const patch = defined({
    branchId: idField(entity, 'branchId'),
    status: (ORDER_STATUSES as readonly string[]).includes(status ?? '') ? (status as OrderStatus) : undefined,
    channel: textField(entity, 'channel') ?? undefined,
    tableLabel: textField(entity, 'tableLabel'),
    total: moneyField(entity, 'total'),
    lineCount: intField(entity, 'lineCount'),
    createdAt: timeField(entity, 'createdAt') ?? undefined,
    updatedAt: timeField(entity, 'updatedAt'),
    paidAt: timeField(entity, 'paidAt'),
    fulfilledAt: timeField(entity, 'fulfilledAt'),
    completedAt: timeField(entity, 'completedAt'),
    cancelledAt: timeField(entity, 'cancelledAt'),
  });
  const branchId = patch.branchId ?? current?.branchId;
  if (board.branchId && branchId && branchId !== board.branchId) return board;
  if (current && !isNotOlder(patch.updatedAt, current.updatedAt)) return board;
  if (!current && (patch.createdAt === undefined || !patch.status || !branchId)) return board;
  const order: BoardOrder = {
    id,
    branchId: '',
    status: 'created',
    channel: 'pos',
    tableLabel: null,
    total: null,
    lineCount: null,
    createdAt: 0,
    updatedAt: null,
    paidAt: null,
    fulfilledAt: null,
    completedAt: null,
    cancelledAt: null,
    ...current,
    ...patch,
  };
  return { ...board, orders: { ...board.orders, [id]: order } };
}

function withoutKey<V>(record: Readonly<Record<string, V>>, key: string): Record<string, V> {
  const { [key]: _gone, ...rest } = record;
  return rest;
}

function cap(board: OrderBoard): OrderBoard {
  const all = Object.values(board.orders);
  if (all.length <= MAX_ORDERS) return board;
  all.sort((a, b) => b.createdAt - a.createdAt);
  return { ...board, orders: Object.fromEntries(all.slice(0, MAX_ORDERS).map((o) => [o.id, o])) };
}

export function paymentState(order: BoardOrder): PaymentState {
  if (order.status === 'cancelled') return 'void';
  if (order.paidAt !== null || order.status !== 'created') return 'paid';
  return 'unpaid';
}

export interface OrderColumns {
  /** created, waiting for payment */
  open: BoardOrder[];
  /** paid, being prepared */
  paid: BoardOrder[];
  /** fulfilled, completed or cancelled recently */
  done: BoardOrder[];
}

/** The board's columns, newest first; finished orders drop off after FINISHED_VISIBLE_MS. */
export function orderColumns(board: OrderBoard, nowMs: number): OrderColumns {
  const columns: OrderColumns = { open: [], paid: [], done: [] };
  for (const order of Object.values(board.orders)) {
    const finishedAt = order.completedAt ?? order.cancelledAt;
    if (finishedAt !== null && nowMs - finishedAt > FINISHED_VISIBLE_MS) continue;
    if (order.status === 'created') columns.open.push(order);
    else if (order.status === 'paid') columns.paid.push(order);
    else columns.done.push(order);
  }
  const newestFirst = (a: BoardOrder, b: BoardOrder) => b.createdAt - a.createdAt || (b.id > a.id ? 1 : -1);
  columns.open.sort(newestFirst);
  columns.paid.sort(newestFirst);
  columns.done.sort((a, b) => (lastChange(b) ?? 0) - (lastChange(a) ?? 0));
  return columns;
}

function lastChange(order: BoardOrder): number | null {
  return order.completedAt ?? order.cancelledAt ?? order.fulfilledAt ?? order.updatedAt ?? order.createdAt;
}

/** Totals of what the board shows, for its header. */
export function boardTotals(columns: OrderColumns): { orders: number; unpaid: number } {
  return { orders: columns.open.length + columns.paid.length + columns.done.length, unpaid: columns.open.length };
}
