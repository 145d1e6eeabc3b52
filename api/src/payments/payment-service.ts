import { randomBytes } from 'node:crypto';
import type { TransactionSql } from 'postgres';
import { illegalTransition, notFound } from '../errors.ts';
import { type Db, iso } from '../http/db.ts';
import { allowsBranch, type Scope } from '../http/scope.ts';
import { transitionOrder } from '../orders/order-lifecycle.ts';
import type { Payment } from './payment-schemas.ts';

interface PaymentRow {
  id: string;
  order_id: string;
  amount: string;
  currency: string;
  status: Payment['status'];
  provider: string;
  provider_ref: string | null;
  failure_reason: string | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = (db: Db) =>
  db`p.id, p.order_id, p.amount, p.currency, p.status, p.provider, p.provider_ref, p.failure_reason, p.created_at, p.updated_at`;

const toPayment = (r: PaymentRow): Payment => ({
  id: r.id,
  order_id: r.order_id,
  amount: { amount: Number(r.amount), currency: r.currency },
  status: r.status,
  provider: r.provider,
  provider_ref: r.provider_ref,
  failure_reason: r.failure_reason,
  created_at: iso(r.created_at),
  updated_at: iso(r.updated_at),
});

/** A payment for the whole order total, pending at the (simulated) provider. */
export async function createPayment(tx: TransactionSql, s: Scope, orderId: string): Promise<Payment> {
  const [order] = await tx<{ status: string; branch_id: string; total_amount: string; currency: string }[]>`
    select status, branch_id, total_amount, currency from orders
    where merchant_id = ${s.merchantId} and id = ${orderId} for update`;
  if (!order || !allowsBranch(s, order.branch_id)) throw notFound('order', orderId);
  if (order.status !== 'created') throw illegalTransition('order', orderId, order.status, 'take a payment');
  const ref = `sim_${randomBytes(8).toString('hex')}`;
  const [row] = await tx<PaymentRow[]>`
    insert into payments as p (merchant_id, order_id, amount, currency, provider, provider_ref)
    values (${s.merchantId}, ${orderId}, ${order.total_amount}, ${order.currency}, 'simulated', ${ref})
    returning ${COLUMNS(tx)}`;
  return toPayment(row!);
}

export async function getPayment(db: Db, s: Scope, id: string, lock = false): Promise<Payment> {
  const [row] = await db<(PaymentRow & { branch_id: string })[]>`
    select ${COLUMNS(db)}, o.branch_id from payments p
    join orders o on o.merchant_id = p.merchant_id and o.id = p.order_id
    where p.merchant_id = ${s.merchantId} and p.id = ${id} ${lock ? db`for update of p` : db``}`;
  if (!row || !allowsBranch(s, row.branch_id)) throw notFound('payment', id);
  return toPayment(row);
}

export async function listPayments(db: Db, s: Scope, orderId: string): Promise<Payment[]> {
  const [order] = await db<{ branch_id: string }[]>`
    select branch_id from orders where merchant_id = ${s.merchantId} and id = ${orderId}`;
  if (!order || !allowsBranch(s, order.branch_id)) throw notFound('order', orderId);
  const rows = await db<PaymentRow[]>`
    select ${COLUMNS(db)} from payments p where p.merchant_id = ${s.merchantId} and p.order_id = ${orderId} order by p.id`;
  return rows.map(toPayment);
}

/** The provider says yes: pending → succeeded and the order becomes paid, in one transaction. */
export async function succeedPayment(tx: TransactionSql, s: Scope, id: string): Promise<Payment> {
  const payment = await getPayment(tx, s, id, true);
  if (payment.status !== 'pending') throw illegalTransition('payment', id, payment.status, 'succeed');
  await transitionOrder(tx, s, payment.order_id, 'pay');
  await tx`update payments set status = 'succeeded' where merchant_id = ${s.merchantId} and id = ${id}`;
  return getPayment(tx, s, id);
}

/** The provider says no: pending → failed; the order stays as it was. */
export async function failPayment(tx: TransactionSql, s: Scope, id: string, reason: string): Promise<Payment> {
  const payment = await getPayment(tx, s, id, true);
  if (payment.status !== 'pending') throw illegalTransition('payment', id, payment.status, 'fail');
  await tx`update payments set status = 'failed', failure_reason = ${reason}
           where merchant_id = ${s.merchantId} and id = ${id}`;
  return getPayment(tx, s, id);
}
