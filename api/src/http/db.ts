import type { Sql, TransactionSql } from 'postgres';
import { isRetriablePostgresError } from '../errors.ts';

const MAX_ATTEMPTS = 3;

/**
 * One transaction, retried (a few times, with jitter) when Postgres reports a deadlock or a
 * serialization failure: those are about timing, not about the request.
 */
export async function inTransaction<T>(sql: Sql, work: (tx: TransactionSql) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return (await sql.begin((tx) => work(tx))) as T;
    } catch (error) {
      if (attempt >= MAX_ATTEMPTS || !isRetriablePostgresError(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
    }
  }
}

/** A pool or an open transaction: services run on either. */
export type Db = Sql | TransactionSql;

/** Timestamps leave the api as ISO-8601 UTC strings. */
export function iso(value: Date): string;
export function iso(value: Date | null): string | null;
export function iso(value: Date | null): string | null {
  return value === null ? null : value.toISOString();
}
