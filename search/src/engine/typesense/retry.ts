import { SearchError } from '../../errors.ts';

export interface RetryOptions {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_RETRY: RetryOptions = { attempts: 6, baseDelayMs: 100, maxDelayMs: 2_000 };

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ECONNABORTED', 'EAI_AGAIN']);

/**
 * Typesense errors → SearchError. 503 is what a node answers while it is "Not Ready or Lagging"
 * (starting, catching up with the Raft log): worth retrying, as are network failures and other
 * 5xx. 4xx means we sent something wrong: not retriable.
 */
export function toSearchError(error: unknown, action: string): SearchError {
  if (error instanceof SearchError) return error;
  const status = (error as { httpStatus?: number }).httpStatus;
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  if ((status !== undefined && status >= 500) || (code !== undefined && NETWORK_CODES.has(code))) {
    return new SearchError('unavailable', 'search.engine_unavailable', `typesense ${action}: ${message}`, {
      cause: error,
      retriable: true,
      details: { status, code },
    });
  }
  return new SearchError('internal', 'search.engine_rejected', `typesense ${action}: ${message}`, {
    cause: error,
    retriable: false,
    details: { status },
  });
}

export async function withRetry<T>(action: string, fn: () => Promise<T>, options: RetryOptions): Promise<T> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let delay = options.baseDelayMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (raw) {
      const error = toSearchError(raw, action);
      if (!error.retriable || attempt >= options.attempts) throw error;
      await sleep(delay);
      delay = Math.min(delay * 2, options.maxDelayMs);
    }
  }
}
