import { AppError, type AppErrorOptions, type ErrorKind } from '@commerce/common';

/** Errors raised by the hub and its bus; codes are prefixed `hub.` or `bus.`. */
export class HubError extends AppError {
  constructor(kind: ErrorKind, code: `hub.${string}` | `bus.${string}`, message: string, options?: AppErrorOptions) {
    super(kind, code, message, options);
    this.name = 'HubError';
  }
}

export function busUnavailable(message: string, cause: unknown): HubError {
  return new HubError('unavailable', 'bus.unavailable', message, { cause, retriable: true });
}
