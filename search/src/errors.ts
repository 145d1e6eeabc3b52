import { AppError, type AppErrorOptions, type ErrorKind } from '@commerce/common';

/** Stable codes for everything search throws; the HTTP boundary maps `kind` to a status. */
export type SearchErrorCode =
  | 'search.filter_syntax'
  | 'search.unknown_field'
  | 'search.field_type'
  | 'search.bad_param'
  | 'search.store_not_found'
  | 'search.engine_unavailable'
  | 'search.engine_rejected'
  | 'search.import_failed';

export class SearchError extends AppError {
  constructor(kind: ErrorKind, code: SearchErrorCode, message: string, options: AppErrorOptions = {}) {
    super(kind, code, message, options);
    this.name = 'SearchError';
  }
}

export function invalidQuery(code: SearchErrorCode, message: string, details?: Record<string, unknown>): SearchError {
  return new SearchError('invalid_input', code, message, details ? { details } : {});
}
