import { AppError, type ErrorKind } from '@commerce/common';

/**
 * Error kind → HTTP status for the search routes. Same table and body shape as the api's
 * (api/src/http/error-response.ts), kept here so the search sub-app answers the same way whether
 * mounted in the api or served alone (storefront test, `npm start`).
 */
const STATUS: Record<ErrorKind, 400 | 401 | 403 | 404 | 409 | 413 | 422 | 429 | 500 | 503> = {
  invalid_input: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  idempotency_mismatch: 422,
  rate_limited: 429,
  internal: 500,
  config: 500,
  unavailable: 503,
};

export function errorResponse(thrown: unknown) {
  const error =
    thrown instanceof AppError ? thrown : new AppError('internal', 'internal', 'internal error', { cause: thrown });
  const status = STATUS[error.kind];
  const body =
    status >= 500 && error.kind !== 'unavailable'
      ? { error: { kind: 'internal', code: 'internal', message: 'internal error' } }
      : {
          error: {
            kind: error.kind,
            code: error.code,
            message: error.message,
            ...(error.details ? { details: error.details } : {}),
          },
        };
  return { status, body, error };
}
