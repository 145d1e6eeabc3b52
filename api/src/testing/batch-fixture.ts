import { type AppError, createLogger, type Principal } from '@commerce/common';
import { createTestDatabase } from '@commerce/infra/testing';
import { toAppError } from '../errors.ts';
import { requestHash } from '../http/idempotency.ts';
import type { Scope } from '../http/scope.ts';
import { createOrderBatcher, type OrderBatcher } from '../orders/order-batcher.ts';
import type { CreateOrderInput } from '../orders/order-schemas.ts';
import type { CreatedOrder } from '../orders/order-service.ts';
import { createTestApi, seedMerchant, stockOf } from './fixtures.ts';

export type Outcome = { ok: true; order: CreatedOrder } | { ok: false; error: AppError };

/**
 * The order-batch tests' world: a fresh database with a seeded merchant (stock per product as
 * given), a cashier's scope, and helpers to build, submit and inspect orders made by batchers.
 * Drop the database in afterAll (`db.drop()`).
 */
export async function batchFixture(stockBy: Record<string, number>) {
  const db = await createTestDatabase();
  const t = await createTestApi(db.sql);
  const m = await seedMerchant(db.sql, t.sign, 'batch', stockBy);
  const principal: Principal = {
    kind: 'staff',
    id: m.staff.cashier.id,
    merchantId: m.merchantId,
    roles: ['cashier'],
    branchIds: [],
    stationIds: [],
    tokenId: 'test',
    expiresAt: Date.now() + 3_600_000,
  };
  const s: Scope = {
    merchantId: m.merchantId,
    branchIds: null,
    stationIds: null,
    principal,
    staffId: m.staff.cashier.id,
  };

  const logger = createLogger('batch-test', 'silent');
  const batcher = (over: { maxBatch?: number; maxInFlight?: number } = {}) =>
    createOrderBatcher({ sql: db.sql, logger, maxBatch: over.maxBatch ?? 64, maxInFlight: over.maxInFlight ?? 1 });
  const order = (lines: Array<[string, number]>, extra: Partial<CreateOrderInput> = {}): CreateOrderInput => ({
    channel: 'pos',
    branch_id: m.branchId,
    table_label: 'T1',
    customer_note: null,
    lines: lines.map(([variant_id, quantity]) => ({ variant_id, quantity, note: null, modifiers: [] })),
    ...extra,
  });
  const idem = (key: string, input: CreateOrderInput) => ({
    merchantId: m.merchantId,
    key,
    principal: `staff:${m.staff.cashier.id}`,
    method: 'POST',
    path: '/orders',
    hash: requestHash('POST', '/orders', input),
  });
  /** Submits every request in the same event-loop turn: they form one batch (up to maxBatch). */
  const submitTogether = (b: OrderBatcher, requests: Array<[CreateOrderInput, ReturnType<typeof idem> | null]>) =>
    Promise.all(
      requests.map(([input, key]) =>
        b.create(s, input, key).then(
          (order): Outcome => ({ ok: true, order }),
          (error: unknown): Outcome => ({ ok: false, error: toAppError(error) }),
        ),
      ),
    );
  const errorOf = (o: Outcome) =>
    o.ok ? null : { kind: o.error.kind, code: o.error.code, message: o.error.message, details: o.error.details };
  const bodyOf = (o: Outcome) => (o.ok ? JSON.parse(o.order.body) : null);
  const stock = (variantId: string) => stockOf(db.sql, variantId, m.locationId);
  const rowsOf = async (orderId: string) => {
    const [row] = await db.sql<{ lines: number; reservations: number; tickets: number; items: number }[]>`
      select (select count(*)::int from order_lines where order_id = ${orderId}) as lines,
             (select count(*)::int from reservations where order_id = ${orderId}) as reservations,
             (select count(*)::int from kitchen_tickets where order_id = ${orderId}) as tickets,
             (select count(*)::int from kitchen_ticket_items where order_id = ${orderId}) as items`;
    return row!;
  };
  const countOrders = async () => (await db.sql<{ n: number }[]>`select count(*)::int as n from orders`)[0]!.n;

  return { db, t, m, s, batcher, order, idem, submitTogether, errorOf, bodyOf, stock, rowsOf, countOrders };
}
