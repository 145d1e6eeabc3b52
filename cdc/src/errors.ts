import { AppError, type AppErrorOptions, type ErrorKind } from '@commerce/common';

/**
 * cdc's error codes. Retriable ones (a sink or Postgres briefly unavailable) are retried by
 * deliverToSinks / the source's reconnect loop; the rest stop the source rather than skip a change.
 */
export type CdcErrorCode =
  | 'cdc.publication_missing'
  | 'cdc.slot_conflict'
  | 'cdc.decode_failed'
  | 'cdc.replication_failed'
  | 'cdc.bus_unavailable'
  | 'cdc.lookup_failed'
  | 'cdc.source_unavailable';

export class CdcError extends AppError {
  constructor(kind: ErrorKind, code: CdcErrorCode, message: string, options: AppErrorOptions = {}) {
    super(kind, code, message, options);
    this.name = 'CdcError';
  }
}

/** Errors from drivers (ioredis, postgres.js) are not AppErrors; at a sink boundary they mean "try again". */
export function asRetriable(error: unknown, code: CdcErrorCode, message: string): AppError {
  if (error instanceof AppError) return error;
  return new CdcError('unavailable', code, `${message}: ${error instanceof Error ? error.message : String(error)}`, {
    cause: error,
    retriable: true,
  });
}
