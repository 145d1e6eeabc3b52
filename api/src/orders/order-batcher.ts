import type { Logger } from '@commerce/common';
import type { Sql } from 'postgres';
import { isPostgresErrorCode, sqlFunctionError } from '../errors.ts';
import type { IdempotencyRequest } from '../http/idempotency.ts';
import type { Scope } from '../http/scope.ts';
import type { CreateOrderInput } from './order-schemas.ts';
import { type CreatedOrder, checkOrderScope, createCheckedOrder } from './order-service.ts';

/**
 * Group commit for order creation. Orders that arrive while the event loop is busy with others
 * are created together by one call of api_create_orders (infra/migrations/0016): one transaction,
 * each order still all or nothing, so the statements, the locks on shared parent rows and the
 * commit are paid once per batch. No timer: a request waits at most until the current event-loop
 * turn ends (setImmediate), or, when `maxInFlight` calls already run, until one of them returns.
 * What waits is spread over the free calls, so under light load every order goes alone at once,
 * and batches grow only with the load.
 *
 * A batch reserves its stock last, so the hot stock rows stay locked only briefly; when another
 * order took some of that stock meanwhile (CMRT0), the batch runs again reserving first, which
 * shares contested rows out in arrival order.
 *
 * A batch of one uses api_create_order. A batch that fails as a whole (a concurrent duplicate of
 * one of its Idempotency-Keys, a deadlock, a bug) is retried one request at a time that way.
 */
export interface OrderBatcher {
  create(s: Scope, input: CreateOrderInput, idem: IdempotencyRequest | null): Promise<CreatedOrder>;
  /** batches run so far, by size (for tests and metrics) */
  stats(): { batches: number; orders: number; largest: number; fallbacks: number; lockFirst: number };
}

export interface OrderBatcherDeps {
  sql: Sql;
  logger: Logger;
  /** most orders in one batch (1 = never batch) */
  maxBatch: number;
  /** most batches running at once; more requests wait for one to return */
  maxInFlight: number;
  onBatch?: (size: number) => void;
}

interface Pending {
  scope: Scope;
  input: CreateOrderInput;
  idem: IdempotencyRequest | null;
  resolve: (result: CreatedOrder) => void;
  reject: (error: unknown) => void;
  /** performance.now() when it was queued */
  queuedAt: number;
}

interface BatchRow {
  idx: number;
  replayed: boolean;
  status: number | null;
  body: string | null;
  error_state: string | null;
  error_message: string | null;
  error_detail: string | null;
}

export function createOrderBatcher(deps: OrderBatcherDeps): OrderBatcher {
  const { sql, logger } = deps;
  // per merchant, in arrival order (a batch is one merchant's)
  const queues = new Map<string, Pending[]>();
  let queued = 0;
  let inFlight = 0;
  let scheduled = false;
  const counts = { batches: 0, orders: 0, largest: 0, fallbacks: 0, lockFirst: 0 };

  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      drain();
    });
  };

  const drain = () => {
    while (queued > 0 && inFlight < deps.maxInFlight) {
      const [merchantId, queue] = queues.entries().next().value as [string, Pending[]];
      // Spread what waits over the free calls: when it fits, each order goes alone and at once
      // (under light load a batch of two costs more time than two orders side by side); batches
      // grow only when more orders wait than calls are free.
      const free = deps.maxInFlight - inFlight;
      const batch = queue.splice(0, Math.min(deps.maxBatch, Math.ceil(queue.length / free)));
      if (queue.length === 0) queues.delete(merchantId);
      queued -= batch.length;
      inFlight++;
      void run(merchantId, batch).finally(() => {
        inFlight--;
        if (queued > 0) schedule();
      });
    }
  };

  const run = async (merchantId: string, batch: Pending[]) => {
    counts.batches++;
    counts.orders += batch.length;
    counts.largest = Math.max(counts.largest, batch.length);
    deps.onBatch?.(batch.length);
    const startedAt = performance.now();
    const timed = (p: Pending, result: CreatedOrder, afterBatch = false): CreatedOrder => ({
      ...result,
      timing: {
        waitMs: startedAt - p.queuedAt,
        dbMs: performance.now() - startedAt,
        batch: batch.length,
        ...(afterBatch ? { afterBatch } : {}),
      },
    });
    // one order by api_create_order: a batch of one, or each of a batch that was rolled back
    const alone = (p: Pending, afterBatch = false) =>
      createCheckedOrder(sql, p.scope, p.input, p.idem).then((r) => p.resolve(timed(p, r, afterBatch)), p.reject);
    if (batch.length === 1) return alone(batch[0]!);
    const requests = sql.json(batch.map(toRequest) as never);
    const call = (lockFirst: boolean) => sql<BatchRow[]>`
      select idx, replayed, status, body, error_state, error_message, error_detail
      from api_create_orders(${merchantId}, ${requests}, ${lockFirst})`;
    let rows: BatchRow[];
    try {
      rows = await call(false).catch((error: unknown) => {
        // stock was taken while the batch was being written: again, reserving first
        if (!isPostgresErrorCode(error, 'CMRT0')) throw error;
        counts.lockFirst++;
        return call(true);
      });
    } catch (error) {
      // the whole batch was rolled back: each request again, alone
      counts.fallbacks++;
      const expected = isPostgresErrorCode(error, 'CMRP0');
      logger[expected ? 'debug' : 'warn']({ err: error, size: batch.length }, 'order batch failed; retrying alone');
      await Promise.all(batch.map((p) => alone(p, true)));
      return;
    }
    for (const row of rows) {
      const p = batch[row.idx - 1]!;
      if (row.status !== null && row.body !== null) {
        p.resolve(timed(p, { replayed: row.replayed, status: row.status, body: row.body }));
      } else {
        p.reject(sqlFunctionError(row.error_state ?? '', row.error_message ?? '', row.error_detail));
      }
    }
  };

  return {
    async create(s, input, idem) {
      await checkOrderScope(sql, s, input);
      return new Promise<CreatedOrder>((resolve, reject) => {
        const queue = queues.get(s.merchantId);
        const pending = { scope: s, input, idem, resolve, reject, queuedAt: performance.now() };
        if (queue) queue.push(pending);
        else queues.set(s.merchantId, [pending]);
        queued++;
        schedule();
      });
    },
    stats: () => ({ ...counts }),
  };
}

const toRequest = (p: Pending) => ({
  branch_id: p.input.branch_id,
  location_id: p.input.location_id ?? null,
  channel: p.input.channel,
  table_label: p.input.table_label,
  customer_note: p.input.customer_note,
  created_by: p.scope.staffId,
  idem_key: p.idem?.key ?? null,
  idem_principal: p.idem?.principal ?? null,
  idem_path: p.idem?.path ?? null,
  idem_hash: p.idem?.hash ?? null,
  lines: p.input.lines,
});
