import type { ChangeEvent } from './change-event.ts';

/**
 * What a change source hands to its sinks: the changes of one or more whole transactions, in
 * commit order. The source acknowledges `position` (commits the Kafka offset / confirms the LSN)
 * only after every sink's `handle` resolved, so a sink must be idempotent by position: the same
 * batch may be delivered again after a crash.
 */
export interface ChangeBatch {
  events: ChangeEvent[];
  /** position of the last event: what the source acknowledges once every sink succeeded */
  position: string;
}

export interface ChangeSinkContext {
  /** aborted when the source is stopping; long work should give up and let the batch be redelivered */
  signal: AbortSignal;
}

export interface ChangeSink {
  readonly name: string;
  handle(batch: ChangeBatch, ctx: ChangeSinkContext): Promise<void>;
}
