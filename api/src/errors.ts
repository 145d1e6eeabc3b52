import { AppError, type AppErrorOptions, type ErrorKind } from '@commerce/common';

/** Every error the api throws on purpose. Code that throws picks a kind, never an HTTP status. */
export class ApiError extends AppError {}

export const notFound = (what: string, id?: string) =>
  new ApiError('not_found', `${what}.not_found`, id === undefined ? `${what} not found` : `${what} ${id} not found`);

export const conflict = (code: string, message: string, details?: Record<string, unknown>) =>
  new ApiError('conflict', code, message, details ? { details } : {});

export const invalidInput = (code: string, message: string, details?: Record<string, unknown>) =>
  new ApiError('invalid_input', code, message, details ? { details } : {});

export const forbidden = (message: string) => new ApiError('forbidden', 'auth.forbidden', message);

export const unauthenticated = (code: string, message: string, options?: AppErrorOptions) =>
  new ApiError('unauthenticated', code, message, options);

/** A state machine refused a move: 409 naming the current status. */
export const illegalTransition = (what: string, id: string, current: string, action: string) =>
  conflict(`${what}.illegal_transition`, `${what} ${id} is ${current}; cannot ${action}`, { current_status: current });

interface PgRule {
  kind: ErrorKind;
  code: string;
  message: string;
  retriable?: boolean;
}

/**
 * Postgres SQLSTATE → error kind: the one place that reads database error codes. The CM class is
 * raised by our own SQL functions (infra/migrations/0009..0011, 0015) and carries its message and a JSON
 * detail meant for the client; every other database message stays in the logs.
 */
const PG_RULES: Record<string, PgRule> = {
  '23505': { kind: 'conflict', code: 'db.unique_violation', message: 'a record with this value already exists' },
  '23503': { kind: 'not_found', code: 'db.reference_not_found', message: 'a referenced record does not exist' },
  '23514': { kind: 'conflict', code: 'db.check_violation', message: 'the change breaks a rule of the data' },
  '23502': { kind: 'invalid_input', code: 'db.not_null_violation', message: 'a required value is missing' },
  '22P02': { kind: 'invalid_input', code: 'db.invalid_text', message: 'a value has the wrong format' },
  '22003': { kind: 'invalid_input', code: 'db.out_of_range', message: 'a number is out of range' },
  '22001': { kind: 'invalid_input', code: 'db.too_long', message: 'a text value is too long' },
  '40001': {
    kind: 'unavailable',
    code: 'db.serialization_failure',
    message: 'concurrent update, retry',
    retriable: true,
  },
  '40P01': { kind: 'unavailable', code: 'db.deadlock', message: 'concurrent update, retry', retriable: true },
  '55P03': { kind: 'unavailable', code: 'db.lock_timeout', message: 'resource busy, retry', retriable: true },
  '57014': { kind: 'unavailable', code: 'db.query_canceled', message: 'the database took too long', retriable: true },
  '53300': { kind: 'unavailable', code: 'db.too_many_connections', message: 'database busy', retriable: true },
  '57P01': { kind: 'unavailable', code: 'db.shutting_down', message: 'database restarting', retriable: true },
  CMNF0: { kind: 'not_found', code: 'not_found', message: '' },
  CMCF0: { kind: 'conflict', code: 'conflict', message: '' },
  CMIV0: { kind: 'invalid_input', code: 'invalid_input', message: '' },
  CMIM0: { kind: 'idempotency_mismatch', code: 'idempotency.key_reused', message: '' },
  CMRP0: { kind: 'conflict', code: 'idempotency.in_progress', message: '' },
  // a batch whose stock was taken while it was written; the batcher runs it again, reserving first
  CMRT0: { kind: 'unavailable', code: 'order.batch_contested', message: 'concurrent orders, retry', retriable: true },
};

/** Friendlier words for the constraints a client can actually run into. */
const CONSTRAINT_MESSAGES: Record<string, string> = {
  product_variants_merchant_id_sku_key: 'a variant with this SKU already exists',
  stations_branch_id_code_key: 'this branch already has a station with this code',
  staff_users_merchant_id_email_key: 'a staff user with this email already exists',
  inventory_levels_reserved_within_on_hand: 'stock on hand cannot drop below the reserved quantity',
  inventory_levels_on_hand_check: 'stock on hand cannot drop below zero',
  stock_movements_on_hand_after_check: 'stock on hand cannot drop below zero',
};

interface PostgresLikeError {
  code: string;
  message: string;
  detail?: string;
  constraint_name?: string;
}

function isPostgresError(error: unknown): error is PostgresLikeError {
  return (
    error instanceof Error && error.name === 'PostgresError' && typeof (error as { code?: unknown }).code === 'string'
  );
}

export function isPostgresErrorCode(error: unknown, code: string): boolean {
  return isPostgresError(error) && error.code === code;
}

export function isRetriablePostgresError(error: unknown): boolean {
  return isPostgresError(error) && PG_RULES[error.code]?.retriable === true;
}

/** Any thrown value → AppError; unknown things become `internal` (their text is logged, not sent). */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (isPostgresError(error)) {
    const rule = PG_RULES[error.code];
    if (!rule) return new ApiError('internal', 'db.error', 'internal error', { cause: error });
    if (error.code.startsWith('CM')) return sqlFunctionError(error.code, error.message, error.detail, error);
    const message = (error.constraint_name && CONSTRAINT_MESSAGES[error.constraint_name]) || rule.message;
    return new ApiError(rule.kind, rule.code, message, { cause: error, retriable: rule.retriable ?? false });
  }
  return new ApiError('internal', 'internal', 'internal error', { cause: error });
}

/**
 * An error our SQL functions raise (class CM) or, for a batch, return per request (state, message,
 * JSON detail): the same ApiError either way.
 */
export function sqlFunctionError(state: string, message: string, detail: string | null | undefined, cause?: unknown) {
  const rule = PG_RULES[state];
  if (!rule || !state.startsWith('CM')) return new ApiError('internal', 'db.error', 'internal error', { cause });
  const { code, ...details } = parseDetail(detail ?? undefined);
  return new ApiError(rule.kind, typeof code === 'string' ? code : rule.code, message, { cause, details });
}

function parseDetail(detail: string | undefined): Record<string, unknown> {
  if (!detail) return {};
  try {
    const parsed: unknown = JSON.parse(detail);
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
