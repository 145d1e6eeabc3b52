import type { TransactionSql } from 'postgres';
import { illegalTransition, notFound } from '../errors.ts';
import { allowsBranch, type Scope } from '../http/scope.ts';
import { cancelOrderTickets } from '../kitchen/kitchen-service.ts';
import type { Order, OrderStatus } from './order-schemas.ts';
import { getOrder } from './order-service.ts';

export type OrderAction = 'pay' | 'cancel' | 'fulfil' | 'complete';

/**
 * The order state machine in one table: created → paid → fulfilled → completed, and cancel before
 * fulfilment. `stock` says what happens to the reservation on the way.
 */
const TRANSITIONS: Record<OrderAction, { from: readonly OrderStatus[]; to: OrderStatus; stamp: string }> = {
  pay: { from: ['created'], to: 'paid', stamp: 'paid_at' },
  cancel: { from: ['created', 'paid'], to: 'cancelled', stamp: 'cancelled_at' },
  fulfil: { from: ['paid'], to: 'fulfilled', stamp: 'fulfilled_at' },
  complete: { from: ['paid', 'fulfilled'], to: 'completed', stamp: 'completed_at' },
};

type StockEffect = 'keep' | 'release' | 'commit';

function stockEffect(action: OrderAction, from: OrderStatus): StockEffect {
  if (action === 'cancel') return 'release';
  if (action === 'fulfil' || (action === 'complete' && from === 'paid')) return 'commit';
  return 'keep';
}

/** Moves an order along its lifecycle inside the caller's transaction (the order row is locked). */
export async function transitionOrder(tx: TransactionSql, s: Scope, id: string, action: OrderAction): Promise<Order> {
  const [order] = await tx<{ status: OrderStatus; branch_id: string }[]>`
    select status, branch_id from orders where merchant_id = ${s.merchantId} and id = ${id} for update`;
  if (!order || !allowsBranch(s, order.branch_id)) throw notFound('order', id);
  const rule = TRANSITIONS[action];
  if (!rule.from.includes(order.status)) throw illegalTransition('order', id, order.status, action);

  const effect = stockEffect(action, order.status);
  if (effect === 'release') await releaseReservations(tx, s, id);
  // nobody will pay for that food: the kitchen stops showing it
  if (action === 'cancel') await cancelOrderTickets(tx, s, id);
  if (effect === 'commit') await commitReservations(tx, s, id);
  // completing straight from paid also fulfils
  const alsoFulfilled = action === 'complete' && order.status === 'paid';
  await tx`
    update orders set status = ${rule.to}, ${tx(rule.stamp)} = now()
      ${alsoFulfilled ? tx`, fulfilled_at = now()` : tx``}
    where merchant_id = ${s.merchantId} and id = ${id}`;
  return getOrder(tx, s, id);
}

/**
 * Inventory rows are locked in variant-id order (the order creation function locks in the same
 * order), so releasing and reserving never deadlock each other.
 */
async function releaseReservations(tx: TransactionSql, s: Scope, orderId: string): Promise<void> {
  await tx`
    with r as (
      update reservations set status = 'released'
      where merchant_id = ${s.merchantId} and order_id = ${orderId} and status = 'active'
      returning variant_id, location_id, quantity
    ), a as (
      select variant_id, location_id, sum(quantity)::int as qty from r group by 1, 2
    ), locked as (
      select il.id, a.qty from inventory_levels il
      join a on a.variant_id = il.variant_id and a.location_id = il.location_id
      where il.merchant_id = ${s.merchantId}
      order by il.variant_id, il.location_id
      for no key update of il
    )
    update inventory_levels il set reserved = il.reserved - locked.qty from locked where il.id = locked.id`;
}

/** The sale: reserved and on_hand both drop, one 'sale' ledger row per SKU and location. */
async function commitReservations(tx: TransactionSql, s: Scope, orderId: string): Promise<void> {
  await tx`
    with r as (
      update reservations set status = 'committed'
      where merchant_id = ${s.merchantId} and order_id = ${orderId} and status = 'active'
      returning variant_id, location_id, quantity
    ), a as (
      select variant_id, location_id, sum(quantity)::int as qty from r group by 1, 2
    ), locked as (
      select il.id, a.qty from inventory_levels il
      join a on a.variant_id = il.variant_id and a.location_id = il.location_id
      where il.merchant_id = ${s.merchantId}
      order by il.variant_id, il.location_id
      for no key update of il
    ), upd as (
      update inventory_levels il set on_hand = il.on_hand - locked.qty, reserved = il.reserved - locked.qty
      from locked where il.id = locked.id
      returning il.variant_id, il.location_id, il.on_hand, locked.qty
    )
    insert into stock_movements (merchant_id, variant_id, location_id, reason, quantity, on_hand_after, order_id, actor_id)
    select ${s.merchantId}, variant_id, location_id, 'sale', -qty, on_hand, ${orderId}, ${s.staffId} from upd`;
}
