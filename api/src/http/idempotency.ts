import { createHash } from 'node:crypto';
import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Sql, TransactionSql } from 'postgres';
import { ApiError, conflict } from '../errors.ts';
import type { AppEnv } from './app-env.ts';
import { inTransaction } from './db.ts';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const REPLAYED_HEADER = 'Idempotent-Replayed';

/** Documents the header on every mutating route; the value is read and checked by `mutate`. */
export const IdempotencyHeaders = z.object({
  [IDEMPOTENCY_HEADER]: z
    .string()
    .regex(/^[\x21-\x7e]{1,255}$/, 'must be 1..255 visible ASCII characters')
    .optional()
    .openapi({
      param: { name: 'idempotency-key', in: 'header' },
      description: 'a repeat with the same key and body returns the first response; another body gives 422',
      example: 'c0a8f1e2-order-1',
    }),
});

export interface IdempotencyRequest {
  merchantId: string;
  key: string;
  principal: string;
  method: string;
  path: string;
  hash: string;
}

/** Same principal + method + path + validated body → same hash (key order fixed by the schema). */
export function requestHash(method: string, path: string, input: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify([method, path, input ?? null]))
    .digest('base64url');
}

export function idempotencyRequest(c: Context<AppEnv>, input: unknown): IdempotencyRequest | null {
  const key = c.req.header(IDEMPOTENCY_HEADER);
  if (key === undefined) return null;
  const principal = c.var.principal;
  return {
    merchantId: principal.merchantId,
    key,
    principal: `${principal.kind}:${principal.id}`,
    method: c.req.method,
    path: c.req.path,
    hash: requestHash(c.req.method, c.req.path, input),
  };
}

/**
 * Runs a mutation once per Idempotency-Key. The key row is inserted in the same transaction as
 * the work: a concurrent duplicate waits on the unique index, then finds the finished record and
 * replays it (or takes over if the first one rolled back). Only successes are recorded, so a
 * request that failed can be retried with the same key.
 */
export async function mutate<T>(
  sql: Sql,
  c: Context<AppEnv>,
  status: number,
  input: unknown,
  run: (tx: TransactionSql) => Promise<T>,
): Promise<T> {
  const idem = idempotencyRequest(c, input);
  if (!idem) return inTransaction(sql, run);
  const outcome = await inTransaction(sql, async (tx) => {
    const inserted = await tx`
      insert into idempotency_keys (merchant_id, key, principal, method, path, request_hash)
      values (${idem.merchantId}, ${idem.key}, ${idem.principal}, ${idem.method}, ${idem.path}, ${idem.hash})
      on conflict do nothing returning 1 as ok`;
    if (inserted.length === 0) return { replayed: true as const, body: await replay(tx, idem) };
    const body = await run(tx);
    await tx`update idempotency_keys
             set response_status = ${status}, response_body = ${tx.json(body as never)}, completed_at = now()
             where merchant_id = ${idem.merchantId} and key = ${idem.key}`;
    return { replayed: false as const, body };
  });
  if (outcome.replayed) c.header(REPLAYED_HEADER, 'true');
  return outcome.body as T;
}

async function replay(tx: TransactionSql, idem: IdempotencyRequest): Promise<unknown> {
  const [row] = await tx<
    { principal: string; method: string; path: string; request_hash: string; response_body: unknown }[]
  >`select principal, method, path, request_hash, response_body, response_status
    from idempotency_keys where merchant_id = ${idem.merchantId} and key = ${idem.key}`;
  if (
    !row ||
    row.principal !== idem.principal ||
    row.method !== idem.method ||
    row.path !== idem.path ||
    row.request_hash !== idem.hash
  ) {
    throw new ApiError(
      'idempotency_mismatch',
      'idempotency.key_reused',
      'this Idempotency-Key was already used with a different request',
    );
  }
  if (row.response_body === null) {
    throw conflict('idempotency.in_progress', 'a request with this Idempotency-Key is still in progress');
  }
  return row.response_body;
}
