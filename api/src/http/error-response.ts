import type { AppError, ErrorKind, Logger } from '@commerce/common';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import { ApiError, toAppError } from '../errors.ts';

/** Error kind → HTTP status: the one translation table at the HTTP boundary. */
export const STATUS_BY_KIND: Record<ErrorKind, ContentfulStatusCode> = {
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

/** Framework-raised HTTP errors (malformed JSON, wrong media type...) become typed errors too. */
function fromHttpException(error: HTTPException): AppError {
  if (error.status === 413) return new ApiError('payload_too_large', 'http.payload_too_large', error.message);
  if (error.status === 415) {
    return new ApiError('invalid_input', 'http.unsupported_media_type', 'send the body as application/json');
  }
  if (error.status === 400) return new ApiError('invalid_input', 'http.bad_request', error.message || 'bad request');
  if (error.status === 401) return new ApiError('unauthenticated', 'auth.unauthenticated', 'unauthenticated');
  if (error.status === 404) return new ApiError('not_found', 'http.not_found', 'not found');
  return new ApiError('internal', 'http.error', 'internal error', { cause: error });
}

/** zod issues → 400 with each field path and reason. */
export function validationError(error: ZodError, target: string): ApiError {
  const issues = error.issues.map((issue) => {
    const path = [target === 'json' ? 'body' : target, ...issue.path.map(String)].join('.');
    const keys = 'keys' in issue && Array.isArray(issue.keys) ? ` (${issue.keys.join(', ')})` : '';
    return { path, message: issue.message + keys };
  });
  const first = issues[0];
  const message = first ? `${first.path}: ${first.message}` : 'invalid input';
  return new ApiError('invalid_input', 'invalid_input', message, { details: { issues } });
}

export function errorBody(error: AppError) {
  const { issues, ...details } = error.details ?? {};
  return {
    error: {
      kind: error.kind,
      code: error.code,
      message: error.message,
      ...(Array.isArray(issues) ? { issues: issues as { path: string; message: string }[] } : {}),
      ...(Object.keys(details).length > 0 ? { details } : {}),
    },
  };
}

/**
 * The app's onError. Internal errors are logged with their cause and answered with a bare
 * "internal error": no stack trace or SQL text ever reaches a client.
 */
export function handleError(logger: Logger) {
  return (thrown: unknown, c: Context) => {
    const error = thrown instanceof HTTPException ? fromHttpException(thrown) : toAppError(thrown);
    const status = STATUS_BY_KIND[error.kind];
    if (status >= 500) {
      logger.error({ err: error.cause ?? error, code: error.code, path: c.req.path }, 'request failed');
    }
    const retryAfter = error.details?.retry_after_s;
    if (typeof retryAfter === 'number') c.header('Retry-After', String(retryAfter));
    else if (error.retriable) c.header('Retry-After', '1');
    const body =
      status >= 500 && error.kind === 'internal'
        ? { error: { kind: 'internal', code: 'internal', message: 'internal error' } }
        : errorBody(error);
    return c.json(body, status);
  };
}
