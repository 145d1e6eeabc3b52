import { AppError, type AppErrorOptions, type ErrorKind } from '@commerce/common';

/** Errors of the terminal pages' server side (bundling the browser code, serving assets). */
export class TerminalsError extends AppError {
  constructor(kind: ErrorKind, code: `terminals.${string}`, message: string, options?: AppErrorOptions) {
    super(kind, code, message, options);
    this.name = 'TerminalsError';
  }
}

export const bundleFailed = (message: string, cause?: unknown) =>
  new TerminalsError('internal', 'terminals.bundle_failed', `building the terminal pages failed: ${message}`, {
    cause,
  });
