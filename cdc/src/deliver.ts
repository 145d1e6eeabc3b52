import { type ChangeBatch, type ChangeSink, isRetriable, type Logger } from '@commerce/common';

export interface DeliverOptions {
  signal: AbortSignal;
  logger: Logger;
  /** first retry delay; doubles up to maxBackoffMs */
  backoffMs?: number;
  maxBackoffMs?: number;
}

/**
 * Hands one batch to every sink in order and resolves only when all of them succeeded: the caller
 * acknowledges the batch's position after this returns, never before. Retriable failures are
 * retried with backoff for as long as the source runs (nothing may be skipped); anything else is a
 * bug or bad data and is thrown so the source stops instead of acknowledging a hole.
 */
export async function deliverToSinks(batch: ChangeBatch, sinks: readonly ChangeSink[], options: DeliverOptions) {
  const maxBackoff = options.maxBackoffMs ?? 5_000;
  for (const sink of sinks) {
    let delay = options.backoffMs ?? 50;
    for (;;) {
      options.signal.throwIfAborted();
      try {
        await sink.handle(batch, { signal: options.signal });
        break;
      } catch (error) {
        if (!isRetriable(error)) throw error;
        options.logger.warn({ err: error, sink: sink.name, position: batch.position, delay }, 'sink failed, retrying');
        await sleep(delay, options.signal);
        delay = Math.min(delay * 2, maxBackoff);
      }
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}
