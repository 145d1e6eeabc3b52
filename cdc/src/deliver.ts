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
  for (const sink of sinks) await deliverToSink(batch, sink, options);
}

/** One sink, retrying retriable failures with backoff (see deliverToSinks). */
async function deliverToSink(batch: ChangeBatch, sink: ChangeSink, options: DeliverOptions): Promise<void> {
  const maxBackoff = options.maxBackoffMs ?? 5_000;
  let delay = options.backoffMs ?? 50;
  for (;;) {
    options.signal.throwIfAborted();
    try {
      await sink.handle(batch, { signal: options.signal });
      return;
    } catch (error) {
      if (!isRetriable(error)) throw error;
      options.logger.warn({ err: error, sink: sink.name, position: batch.position, delay }, 'sink failed, retrying');
      await sleep(delay, options.signal);
      delay = Math.min(delay * 2, maxBackoff);
    }
  }
}

export interface SinkLanesOptions extends DeliverOptions {
  /** a lane that fell behind merges waiting batches up to about this many changes */
  maxBatchChanges?: number;
}

interface Lane {
  sink: ChangeSink;
  waiting: Waiting[];
  /** the lane's loop while it has batches */
  running: Promise<void> | null;
}

interface Waiting {
  batch: ChangeBatch;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Every sink in its own lane, so one sink never waits for another: the hub's bus gets a
 * transaction while the search index is still writing the previous one. Each lane takes batches
 * in submission order, one at a time, with deliverToSinks' retry rules; `submit` resolves when
 * EVERY sink accepted the batch, and since lanes are first-in first-out, submissions resolve in
 * order: acknowledging a batch's position when its submit resolves still acknowledges only what
 * all sinks have. A lane that fell behind hands its sink the batches waiting for it as one batch
 * (whole transactions in commit order, like any batch), so a slow sink catches up in fewer, larger
 * steps. After a non-retriable failure every waiting and later submission fails: the source stops.
 */
export class SinkLanes {
  readonly #lanes: Lane[];
  readonly #options: SinkLanesOptions;
  #failure: { error: unknown } | null = null;

  constructor(sinks: readonly ChangeSink[], options: SinkLanesOptions) {
    this.#lanes = sinks.map((sink) => ({ sink, waiting: [], running: null }));
    this.#options = options;
  }

  submit(batch: ChangeBatch): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure.error);
    return Promise.all(
      this.#lanes.map(
        (lane) =>
          new Promise<void>((resolve, reject) => {
            lane.waiting.push({ batch, resolve, reject });
            lane.running ??= this.#run(lane);
          }),
      ),
    ).then(() => undefined);
  }

  /**
   * Resolves once no sink is handling a batch any more (after a failure or an abort, other lanes
   * may still be busy): a new session must not hand a sink batches while an old call still runs.
   */
  async settled(): Promise<void> {
    for (const lane of this.#lanes) await lane.running;
  }

  /** (async: it returns at its first await, before `running` is cleared in its finally) */
  async #run(lane: Lane): Promise<void> {
    try {
      while (lane.waiting.length > 0) {
        const taken = this.#take(lane.waiting);
        const batch =
          taken.length === 1
            ? taken[0]!.batch
            : { events: taken.flatMap((w) => w.batch.events), position: taken[taken.length - 1]!.batch.position };
        try {
          await deliverToSink(batch, lane.sink, this.#options);
        } catch (error) {
          this.#fail(error, taken);
          return;
        }
        for (const w of taken) w.resolve();
      }
    } finally {
      lane.running = null;
    }
  }

  #take(waiting: Waiting[]): Waiting[] {
    const max = this.#options.maxBatchChanges ?? 10_000;
    const taken = [waiting.shift()!];
    let changes = taken[0]!.batch.events.length;
    while (waiting.length > 0 && changes + waiting[0]!.batch.events.length <= max) {
      const next = waiting.shift()!;
      changes += next.batch.events.length;
      taken.push(next);
    }
    return taken;
  }

  #fail(error: unknown, taken: Waiting[]): void {
    this.#failure ??= { error };
    for (const w of taken) w.reject(error);
    for (const lane of this.#lanes) for (const w of lane.waiting.splice(0)) w.reject(error);
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
