/**
 * Errors carry a kind (what went wrong, for the boundary that translates it), a stable code,
 * a retriable flag (retries look at it and never retry programming errors) and a cause.
 * Packages define their own codes in their own errors.ts on top of this base.
 */
export type ErrorKind =
  | 'invalid_input'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'idempotency_mismatch'
  | 'payload_too_large'
  | 'rate_limited'
  | 'unavailable'
  | 'config'
  | 'internal';

export interface AppErrorOptions {
  retriable?: boolean;
  cause?: unknown;
  details?: Record<string, unknown>;
}

export class AppError extends Error {
  readonly kind: ErrorKind;
  readonly code: string;
  readonly retriable: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(kind: ErrorKind, code: string, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.kind = kind;
    this.code = code;
    this.retriable = options.retriable ?? kind === 'unavailable';
    this.details = options.details;
  }
}

export function isRetriable(error: unknown): boolean {
  return error instanceof AppError && error.retriable;
}
